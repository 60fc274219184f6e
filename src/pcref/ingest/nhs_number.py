"""NHS number validation by its modulus-11 check digit, in Python and as DuckDB SQL.

NHS Data Dictionary, NHS NUMBER: multiply each of the first nine digits by a weight from 10
down to 2, sum, take the remainder on division by 11 and subtract it from 11. A result of 11
means a check digit of 0; a result of 10 means the number is invalid. The tenth digit must
equal the check digit. https://www.datadictionary.nhs.uk/attributes/nhs_number.html

Ingest validates NHS numbers and then drops them: they are never written to the warehouse.
"""

from __future__ import annotations

_WEIGHTS = tuple(range(10, 1, -1))  # 10, 9, ..., 2 for digits 1-9


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no digit is valid (the result is 10)."""
    if len(first_nine) != 9 or not (first_nine.isascii() and first_nine.isdigit()):
        raise ValueError(f"expected nine digits, got {first_nine!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def is_valid_nhs_number(value: str) -> bool:
    """True for exactly ten ASCII digits whose last digit is the modulus-11 check digit."""
    if len(value) != 10 or not (value.isascii() and value.isdigit()):
        return False
    return check_digit(value[:9]) == int(value[9])


def invalid_nhs_number_sql(column: str) -> str:
    """A DuckDB boolean expression, true when the (non-blank) column is not a valid NHS number.

    ``column`` must already be a quoted SQL identifier. Set-based, so it runs at column speed.
    """
    digit = "(ascii(substr({c}, {i}, 1)) - 48)"
    weighted = " + ".join(
        f"{digit.format(c=column, i=i)} * {w}" for i, w in enumerate(_WEIGHTS, start=1)
    )
    return (
        f"(NOT regexp_full_match({column}, '[0-9]{{10}}') "
        f"OR (11 - ({weighted}) % 11) % 11 <> {digit.format(c=column, i=10)})"
    )
