"""The theme framework and its transparent keyword baseline.

The product's themes are the NHS patient-experience qualitative data categorisation (QDC)
framework v7 — 10 categories, 32 subcategories, as published by the QDC project — plus one
theme of our own, "Equality, diversity and racism": PCREF exists to hear about racism, and v7
has no such subcategory (the QDC project covers it only with a keyword rule). The table,
with a plain description of each theme, lives in ``themes.yaml`` beside this module so it can
be read and reviewed without reading code.

:func:`rule_themes` is the baseline every trained model is compared with: each theme has a
short list of keyword patterns, and a comment carries every theme whose keywords it contains.
It is deliberately simple so anyone can see why a comment got a theme; the trainable model in
:mod:`pcref.listening.model` does better and is scored against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import yaml

#: The theme given to a comment with no usable text (the framework's own subcategory).
NO_USABLE_TEXT = "Labelling not possible"
#: The theme added to the QDC framework for PCREF.
EQUALITY_THEME = "Equality, diversity and racism"

# Answers that mean "no comment": the public NHS set uses "Did not answer" as a placeholder.
_PLACEHOLDERS = frozenset(
    {"did not answer", "no answer", "not answered", "n/a", "na", "not applicable", "no comment"}
)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Theme:
    """One theme: its QDC category, its name, what it covers, and its baseline keywords.

    ``v6_columns`` are the columns of older v6-labelled files (such as the public NHS set)
    that count as this theme when a labelled file is read.
    """

    category: str
    name: str
    description: str
    keywords: tuple[str, ...]
    v6_columns: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)


@cache
def _load() -> tuple[Theme, ...]:
    raw = yaml.safe_load(files("pcref.listening").joinpath("themes.yaml").read_text("utf-8"))
    themes = []
    for entry in raw["themes"]:
        keywords = tuple(entry["keywords"])
        pattern = (
            re.compile(r"\b(?:" + "|".join(keywords) + ")", re.IGNORECASE) if keywords else None
        )
        themes.append(
            Theme(
                category=entry["category"],
                name=entry["subcategory"],
                description=" ".join(entry["description"].split()),
                keywords=keywords,
                v6_columns=tuple(entry.get("v6_columns", ())),
                pattern=pattern,
            )
        )
    return tuple(themes)


#: Every theme, in framework order (QDC v7 first, then the equality theme).
THEMES: tuple[Theme, ...] = _load()
#: Theme names in framework order: the label set of the rule baseline and of the model.
THEME_NAMES: tuple[str, ...] = tuple(theme.name for theme in THEMES)
#: Theme name -> its QDC category.
THEME_CATEGORY: dict[str, str] = {theme.name: theme.category for theme in THEMES}


def has_usable_text(text: str) -> bool:
    """False for blanks, placeholders ("Did not answer") and text with fewer than 2 letters."""
    stripped = " ".join(text.split()).strip(" .!").lower()
    return stripped not in _PLACEHOLDERS and len(_LETTER.findall(stripped)) >= 2


def rule_themes(text: str) -> tuple[str, ...]:
    """Themes whose keywords the comment contains, in framework order.

    A comment without usable text gets only :data:`NO_USABLE_TEXT`. A usable comment that
    matches no keyword gets no theme (the moderator assigns one).
    """
    if not has_usable_text(text):
        return (NO_USABLE_TEXT,)
    return tuple(
        theme.name for theme in THEMES if theme.pattern is not None and theme.pattern.search(text)
    )


def themes_markdown() -> str:
    """The theme table as Markdown, for ``docs/listening.md`` (a test keeps them in step)."""
    lines = ["| category | theme | covers |", "| --- | --- | --- |"]
    lines += [f"| {t.category} | {t.name} | {t.description} |" for t in THEMES]
    return "\n".join(lines) + "\n"
