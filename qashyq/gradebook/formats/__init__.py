"""Foreign formats the gradebook writes (``platonus``: the journal export for Platonus)."""
