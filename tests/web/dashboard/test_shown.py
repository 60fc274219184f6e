"""Figures as shown: rounded to the places of their display value, withheld ones empty."""

import math

import pandas as pd

from pcref.web.dashboard.shown import decimal_places, shown_frame, shown_row


def test_values_and_limits_are_rounded_as_the_display_value():
    row = shown_row({"group": "White", "value": 31.614871, "lower": 28.970438,
                     "upper": 34.435807, "display_value": "31.6", "numerator": 525,
                     "denominator": 1663774.0, "ratio": None})
    assert (row["value"], row["lower"], row["upper"]) == (31.6, 29.0, 34.4)
    assert row["interval_text"] == "29.0 to 34.4"
    assert not row["withheld"]


def test_withheld_rows_have_no_numbers():
    row = shown_row({"group": "Mixed", "value": 12.3, "lower": 5.0, "upper": 20.0,
                     "display_value": "*", "numerator": None, "ratio": 2.0,
                     "ratio_lower": 1.1, "ratio_upper": 3.0})
    assert row["withheld"]
    assert all(math.isnan(row[k]) for k in ("value", "lower", "upper", "ratio", "numerator"))
    assert row["value_text"] == row["interval_text"] == row["ratio_text"] == ""


def test_ratios_are_rounded_as_the_sentences_round_them():
    row = shown_row({"group": "Black", "value": 8.0, "lower": 7.0, "upper": 9.0,
                     "display_value": "8.0", "ratio": 1.2301, "ratio_lower": 1.0412,
                     "ratio_upper": 1.4533})
    # 2 significant figures would show the lower limit as 1.0 under "higher than": 3 are used.
    assert (row["ratio_text"], row["ratio_interval_text"]) == ("1.23", "1.04 to 1.45")
    assert (row["ratio"], row["ratio_lower"], row["ratio_upper"]) == (1.23, 1.04, 1.45)


def test_decimal_places_and_frame_order():
    assert (decimal_places("31.6"), decimal_places("402"), decimal_places("0.05")) == (1, 0, 2)
    frame = shown_frame(pd.DataFrame([
        {"group": "B", "value": 1.0, "display_value": "1.0"},
        {"group": "A", "value": None, "display_value": ""},
    ]))
    assert list(frame["group"]) == ["B", "A"]
    assert math.isnan(frame["value"].iloc[1]) and not frame["withheld"].iloc[1]
