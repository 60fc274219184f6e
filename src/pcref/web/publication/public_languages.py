"""The public PCREF page's languages: English and the feedback form's other languages
(Polish and Punjabi, docs/feedback.md says why), each at its own URL (``/pcref/pl/``), so a
link can be shared in the language it was written for. English stays at ``/pcref/``.

The page's own words are translated (``publication/locale/``, built with the feedback form's
by ``pcref.web.feedback.i18n_build``); the measures' titles and the sentences made from the
figures are English for now, and the page says so.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from pcref.web.core.languages import LanguageLink, language_links
from pcref.web.feedback.flows import LANGUAGE_FLOWS, Flow

#: The page's languages by key, English first.
PUBLIC_LANGUAGES: dict[str, Flow] = {flow.key: flow for flow in LANGUAGE_FLOWS}
ENGLISH = "en"


def public_page_url(key: str) -> str:
    """The public page in the language ``key``."""
    if key == ENGLISH:
        return reverse("pcref_public:index")
    return reverse("pcref_public:index_in", args=(key,))


def public_language_links(current: Flow) -> list[LanguageLink]:
    """The language switcher's links, ``current`` marked."""
    return language_links(PUBLIC_LANGUAGES.values(), current.key, public_page_url)


class PublicLanguageConverter:
    """URL converter: ``/pcref/<key>/`` names a language other than English."""

    regex = "|".join(key for key in PUBLIC_LANGUAGES if key != ENGLISH)

    def to_python(self, value: str) -> Flow:
        try:
            return PUBLIC_LANGUAGES[value]
        except KeyError:
            raise Http404(f"the PCREF page is not in {value!r}") from None

    def to_url(self, value: Flow | str) -> str:
        return value.key if isinstance(value, Flow) else value
