"""Spreadsheets in: safety checks, reading, cell parsing, validation and the import itself."""
