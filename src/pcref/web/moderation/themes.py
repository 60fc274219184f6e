"""Themes and sentiment suggested to moderators by ``pcref.listening``'s transparent rule
baselines (``themes.rule_themes``, ``sentiment.rule_sentiment``). A suggestion only fills
the form: the moderator confirms or corrects it before anything is saved.

Without the theme framework (``pcref.listening.themes`` not installed) there is nothing to
choose themes from, and the moderation page says theme tagging is not available rather
than offering a list made up here.
"""

from __future__ import annotations

from importlib.util import find_spec


def _frameworks_available() -> bool:
    return find_spec("pcref.listening.themes") is not None


def theme_choices() -> list[tuple[str, str]]:
    """(value, label) for every theme in framework order, or ``[]`` without a framework."""
    if not _frameworks_available():
        return []
    from pcref.listening.themes import THEMES

    return [(theme.name, f"{theme.name} ({theme.category})") for theme in THEMES]


def suggested_themes(*answers: str) -> list[str]:
    """Themes the keyword baseline finds in any of the answers, in framework order."""
    if not _frameworks_available():
        return []
    from pcref.listening.themes import THEME_NAMES, has_usable_text, rule_themes

    found = {name for text in answers if has_usable_text(text) for name in rule_themes(text)}
    return [name for name in THEME_NAMES if name in found]


def suggested_sentiment(*answers: str) -> str:
    """The baseline's three-point sentiment of the answers together, or ``""``."""
    if find_spec("pcref.listening.sentiment") is None:
        return ""
    from pcref.listening.sentiment import rule_sentiment

    text = "\n".join(answer for answer in answers if answer)
    return rule_sentiment(text) if text else ""
