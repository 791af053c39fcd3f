"""The `midterm` command: one entry point for operators, office staff and `make run`."""
