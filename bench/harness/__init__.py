"""The bench harness (python3 standard library only): a private broker, the subjects, the cases, the table."""
