"""Testing complex: question banks, tests, attempts, grading, item analysis (issue 4)."""
