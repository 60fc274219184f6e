"""Themes and sentiment suggested to moderators by ``pcref.listening``'s transparent rule
baselines (``themes.rule_themes``, ``sentiment.rule_sentiment``). A suggestion only fills
the form: the moderator confirms or corrects it before anything is saved."""

from __future__ import annotations

from pcref.listening.sentiment import rule_sentiment
from pcref.listening.themes import THEME_NAMES, THEMES, has_usable_text, rule_themes


def theme_choices() -> list[tuple[str, str]]:
    """(value, label) for every theme of the framework, in framework order."""
    return [(theme.name, f"{theme.name} ({theme.category})") for theme in THEMES]


def suggested_themes(*answers: str) -> list[str]:
    """Themes the keyword baseline finds in any of the answers, in framework order."""
    found = {name for text in answers if has_usable_text(text) for name in rule_themes(text)}
    return [name for name in THEME_NAMES if name in found]


def suggested_sentiment(*answers: str) -> str:
    """The baseline's three-point sentiment of the answers together, or ``""`` if none."""
    text = "\n".join(answer for answer in answers if answer)
    return rule_sentiment(text) if text else ""
