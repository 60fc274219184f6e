"""Figures as the pages show them: the numbers a table prints, and nothing more precise.

A results row keeps ``value``, ``lower`` and ``upper`` at full precision beside
``display_value`` (one decimal place, or ``*`` when withheld). Tables, charts and CSV
downloads all take their numbers from here, rounded to the places ``display_value`` uses,
so a chart or a download never carries a figure more exactly than the table beside it, and
a withheld figure is missing everywhere. Ratios are rounded as the plain-English sentences
round them (:func:`pcref.stats.wording.format_ratio_interval`), so a sentence, its table
row and its point on the ratio plot agree.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pcref.stats.wording import format_ratio_interval

#: What a withheld figure is displayed as (every disclosure policy's symbol).
WITHHELD = "*"

#: Columns of a shown frame, in the order tables and downloads use.
SHOWN_COLUMNS = (
    "group",
    "subgroup",
    "statistic",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "comparator",
    "significance",
    "withheld",
    "display_value",
    "value_text",
    "interval_text",
    "ratio_text",
    "ratio_interval_text",
    "status",
)
#: Columns of a shown frame that hold words.
TEXT_COLUMNS = (
    "group", "subgroup", "statistic", "comparator", "significance", "display_value",
    "value_text", "interval_text", "ratio_text", "ratio_interval_text", "status",
)


def missing(value: Any) -> bool:
    """True for None, NaN and pandas' missing values."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def decimal_places(display_value: str) -> int:
    """Decimal places a display value is written with: "31.6" → 1, "402" → 0."""
    text = str(display_value).strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


def is_withheld(display_value: Any) -> bool:
    """Whether a row's value is withheld by disclosure control."""
    return str(display_value).strip() == WITHHELD


def _rounded(number: Any, places: int) -> float:
    if missing(number) or not math.isfinite(float(number)):
        return math.nan
    return round(float(number), places)


def _text(number: float, places: int) -> str:
    return "" if math.isnan(number) else f"{number:,.{places}f}"


def _count(number: Any) -> float:
    return math.nan if missing(number) else float(number)


def shown_row(row: dict[str, Any]) -> dict[str, Any]:
    """One results row (a mapping with the results schema's columns) as shown."""
    display = "" if missing(row.get("display_value")) else str(row["display_value"]).strip()
    withheld = is_withheld(display)
    blank = withheld or display == "" or missing(row.get("value"))
    places = 0 if blank else decimal_places(display)
    value = math.nan if blank else float(display.replace(",", ""))
    lower = math.nan if blank else _rounded(row.get("lower"), places)
    upper = math.nan if blank else _rounded(row.get("upper"), places)
    interval = "" if math.isnan(lower) or math.isnan(upper) else (
        f"{_text(lower, places)} to {_text(upper, places)}"
    )
    ratio = ratio_lower = ratio_upper = math.nan
    ratio_text = ratio_interval = ""
    raw = [row.get(k) for k in ("ratio", "ratio_lower", "ratio_upper")]
    if not blank and not missing(raw[0]) and math.isfinite(float(raw[0])):
        if not missing(raw[1]) and not missing(raw[2]) and raw[1] <= raw[0] <= raw[2]:
            texts = format_ratio_interval(float(raw[0]), float(raw[1]), float(raw[2]))
            ratio, ratio_lower, ratio_upper = (float(t) for t in texts)
            ratio_text, ratio_interval = texts[0], f"{texts[1]} to {texts[2]}"
        else:
            ratio_text = format_ratio_interval(float(raw[0]), float(raw[0]), float(raw[0]))[0]
            ratio = float(ratio_text)
    significance = row.get("significance")
    return {
        "group": row.get("group"),
        "subgroup": None if missing(row.get("subgroup")) else row.get("subgroup"),
        "statistic": row.get("statistic"),
        "numerator": _count(row.get("numerator")),
        "denominator": _count(row.get("denominator")),
        "value": value,
        "lower": lower,
        "upper": upper,
        "ratio": ratio,
        "ratio_lower": ratio_lower,
        "ratio_upper": ratio_upper,
        "comparator": None if missing(row.get("comparator")) else row.get("comparator"),
        "significance": None if missing(significance) else significance,
        "withheld": withheld,
        "display_value": display,
        "value_text": _text(value, places),
        "interval_text": interval,
        "ratio_text": ratio_text,
        "ratio_interval_text": ratio_interval,
        "status": row.get("status") or "",
    }


def shown_frame(rows: pd.DataFrame | list[dict[str, Any]]) -> pd.DataFrame:
    """Results rows (a frame or a list of mappings) as shown: one row each, same order,
    with the columns of :data:`SHOWN_COLUMNS`."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    frame = pd.DataFrame([shown_row(r) for r in records], columns=list(SHOWN_COLUMNS))
    # Text columns hold "" for "none", never NaN (pandas would print it as "nan").
    for column in TEXT_COLUMNS:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    return frame


def count_text(number: float) -> str:
    """A published count for a table: "1,320"; empty when withheld or not applicable."""
    return "" if math.isnan(number) else f"{number:,.0f}"
