"""Small labelled files in the QDC layout, written per test."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = ["Comment ID", "Respondent ID", "FFT question", "FFT answer", "Comment sentiment",
          "Parking", "Staff manner & personal attributes", "Food & drink provision & facilities"]

#: (text, question, sentiment 1-5, parking, staff manner, food) - three clearly separable themes.
_TEMPLATES = [
    ("could not find anywhere to park the car", "How could we improve?", 4, 1, 0, 0),
    ("the car park was full and parking cost too much", "How could we improve?", 5, 1, 0, 0),
    ("parking spaces were easy to find", "What was good?", 2, 1, 0, 0),
    ("the nurses were kind and caring", "What was good?", 1, 0, 1, 0),
    ("staff were friendly and respectful to me", "What was good?", 1, 0, 1, 0),
    ("the receptionist was rude to my mother", "How could we improve?", 5, 0, 1, 0),
    ("the food was cold and the meals were late", "How could we improve?", 4, 0, 0, 1),
    ("lovely hot meals and plenty of drinks", "What was good?", 2, 0, 0, 1),
    ("more choice of food and snacks please", "How could we improve?", 3, 0, 0, 1),
    ("Did not answer", "FFT Why?", "", 0, 0, 0),
]


def labelled_rows(copies: int = 6) -> list[list[object]]:
    rows: list[list[object]] = []
    for copy in range(copies):
        for i, (text, question, sentiment, *labels) in enumerate(_TEMPLATES):
            respondent = f"R{copy}-{i // 3}"
            if text != "Did not answer":
                text = f"{text} (visit {copy})"
            rows.append([f"C{copy}-{i}", respondent, question, text,
                         sentiment, *[label or "" for label in labels]])
    return rows


@pytest.fixture
def write_labelled(tmp_path: Path) -> Callable[..., Path]:
    """Write a labelled CSV (header + rows) and return its path."""

    def write(rows: list[list[object]] | None = None, header: list[str] | None = None,
              name: str = "labelled.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header or HEADER)
            writer.writerows(labelled_rows() if rows is None else rows)
        return path

    return write
