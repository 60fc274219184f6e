"""Quoting for SQL built from contract names and file paths (never from row values)."""

from __future__ import annotations


def identifier(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def blank(column_sql: str) -> str:
    """SQL that is true when a text column is blank (NULL, empty or only spaces)."""
    return f"({column_sql} IS NULL OR trim({column_sql}) = '')"


def present(column_sql: str) -> str:
    """SQL that is true when a text column has a value."""
    return f"({column_sql} IS NOT NULL AND trim({column_sql}) <> '')"
