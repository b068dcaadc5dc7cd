"""`zigttp serve`: granian (RSGI) in front of the sandboxed handler."""
