"""Foreign formats the academics app reads and writes (spreadsheets of people and groups)."""
