"""The theme framework matches the published QDC v7 list; the keyword baseline behaves."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pcref.listening.themes import (
    EQUALITY_THEME,
    NO_USABLE_TEXT,
    THEME_CATEGORY,
    THEME_NAMES,
    THEMES,
    has_usable_text,
    rule_themes,
    themes_markdown,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_framework_is_qdc_v7_exactly_plus_the_equality_theme(reference_dir: Path) -> None:
    with (reference_dir / "feedback" / "qdc_framework_v7.csv").open(encoding="utf-8") as f:
        published = [(row["category"], row["subcategory"]) for row in csv.DictReader(f)]
    ours = [(theme.category, theme.name) for theme in THEMES]
    assert len(published) == 32
    assert len({c for c, _ in published}) == 10
    assert ours[:-1] == published
    assert ours[-1] == (EQUALITY_THEME, EQUALITY_THEME)
    assert THEME_NAMES[-1] == EQUALITY_THEME


def test_every_theme_is_described_and_keyworded() -> None:
    for theme in THEMES:
        assert len(theme.description) > 20, theme.name
        assert theme.keywords or theme.name == NO_USABLE_TEXT, theme.name


def test_v6_columns_point_at_one_theme_each() -> None:
    columns = [c for theme in THEMES for c in theme.v6_columns]
    assert len(columns) == len(set(columns))
    assert not set(columns) & set(THEME_NAMES)
    assert THEME_CATEGORY["Parking"] == "Service location, travel & transport"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (NO_USABLE_TEXT,)),
        ("Did not answer", (NO_USABLE_TEXT,)),
        ("  n/a ", (NO_USABLE_TEXT,)),
        ("?", (NO_USABLE_TEXT,)),
        ("Couldn't park anywhere", ("Parking",)),
        ("The nurse was rude", ("Staff manner & personal attributes",)),
        ("I was treated differently because of my race", (EQUALITY_THEME,)),
        ("No interpreter was offered", (EQUALITY_THEME,)),
        ("I had Parkinson's and nobody knew", ()),
        ("Waited four hours for the ambulance",
         ("Timeliness of care", "Environment, facilities & equipment")),
    ],
)
def test_rule_themes_on_hand_worked_comments(text: str, expected: tuple[str, ...]) -> None:
    assert rule_themes(text) == expected


def test_rule_themes_come_back_in_framework_order() -> None:
    found = rule_themes("The food was cold and the parking was a nightmare; staff were kind")
    assert list(found) == sorted(found, key=THEME_NAMES.index)
    assert {"Food & drink provision & facilities", "Parking"} <= set(found)


def test_usable_text() -> None:
    assert has_usable_text("ok")
    assert not has_usable_text(" . ")
    assert not has_usable_text("12345")


def test_docs_carry_the_current_theme_table() -> None:
    docs = (REPO_ROOT / "docs" / "listening.md").read_text(encoding="utf-8")
    assert themes_markdown() in docs
