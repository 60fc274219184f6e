"""Quoting for SQL built from contract names and file paths (never from row values)."""

from __future__ import annotations


def identifier(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def blank_to_null(value_sql: str) -> str:
    """SQL for a text value with blanks (empty, or only spaces) made NULL, other values
    untouched. Staging applies it once, so every later check tests blanks as ``IS NULL``
    instead of trimming each value again. (A non-empty all-space value starts with a space;
    testing that first keeps ``trim`` off nearly every row.)"""
    return (f"CASE WHEN {value_sql} = '' OR (starts_with({value_sql}, ' ') "
            f"AND trim({value_sql}) = '') THEN NULL ELSE {value_sql} END")


def blank(column_sql: str) -> str:
    """SQL that is true when a staged column is blank (staging made blanks NULL)."""
    return f"({column_sql} IS NULL)"


def present(column_sql: str) -> str:
    """SQL that is true when a staged column has a value."""
    return f"({column_sql} IS NOT NULL)"
