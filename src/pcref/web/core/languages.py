"""Links to the same page in each of its languages, for the language switcher
(``core/_language_switcher.jinja``) of the pages people can read in more than one language:
the feedback form and the public PCREF page.

The language is part of the URL on those pages, never a cookie or the browser's setting, so
each link is simply the page's URL for that language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol


class Language(Protocol):
    """What the switcher needs to know of a language (a feedback form flow has it)."""

    key: str
    html_lang: str
    native_name: str


@dataclass(frozen=True)
class LanguageLink:
    """One language in the switcher: its name in its own language and the page in it."""

    html_lang: str
    native_name: str
    href: str
    current: bool


def language_links(languages: Iterable[Language], current_key: str,
                   href_for: Callable[[str], str]) -> list[LanguageLink]:
    """A link for each of ``languages`` to ``href_for(key)``; the one whose key is
    ``current_key`` is marked current (shown, not linked)."""
    return [
        LanguageLink(language.html_lang, language.native_name, href_for(language.key),
                     language.key == current_key)
        for language in languages
    ]
