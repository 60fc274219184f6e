"""Suggested redactions for comments before they are published (DESIGN §8).

Staff names and personal details are taken out of comments before anything is public,
as Care Opinion and NHS.UK reviews do. These simple patterns only *suggest*: the
moderator reads every comment, confirms or changes the public text, and is responsible
for it. What the patterns find (each documented in docs/moderation.md):

* email addresses;
* NHS-number-like numbers: ten digits, optionally grouped 3-3-4 with spaces or hyphens
  (the check digit is not tested: a mistyped NHS number is still personal data);
* UK telephone numbers: ``0`` or ``+44`` followed by 9 or 10 more digits, optionally
  separated by spaces or hyphens;
* names after a title ("Dr Patel", "Nurse Joy Smith") or after a job or word that
  introduces one ("my social worker Tom", "a nurse called Ayesha"): the name is replaced,
  the title or job word kept so the comment still reads.

Names with none of these cues ("Sarah was lovely") are not found: reading is the real
safeguard. Plain Python, no Django, so it can be tested and reused anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = "email"
NHS_NUMBER = "nhs_number"
PHONE = "phone"
NAME = "name"

#: What each kind of personal detail is replaced with in the public text.
REPLACEMENTS: dict[str, str] = {
    EMAIL: "[email address removed]",
    NHS_NUMBER: "[NHS number removed]",
    PHONE: "[phone number removed]",
    NAME: "[name removed]",
}

#: Plain words for each kind, for the moderator's list of suggestions.
KIND_LABELS: dict[str, str] = {
    EMAIL: "Email address",
    NHS_NUMBER: "NHS number",
    PHONE: "Phone number",
    NAME: "Name",
}

_NAME = r"(?:[A-Z]['’][A-Z][a-z]+|[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?)"  # O'Brien, Smith-Jones
_FULL_NAME = rf"{_NAME}(?:\s+{_NAME})?"
_TITLES = r"Dr|Doctor|Nurse|Sister|Matron|Mr|Mrs|Ms|Miss|Mx|Prof|Professor"
_JOBS = (
    r"nurse|doctor|psychiatrist|psychologist|consultant|therapist|social worker|"
    r"care co-?ordinator|key worker|support worker|healthcare assistant|receptionist|"
    r"manager|matron|called|named"
)

# Order matters only for ties (same start and length): earlier kinds win.
_PATTERNS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    (EMAIL, re.compile(r"\b[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), 0),
    (NHS_NUMBER, re.compile(r"(?<![\d+])\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)"), 0),
    (PHONE, re.compile(r"(?:\+44\s?(?:\(0\)\s?)?|(?<![\d+])0)\d(?:[ -]?\d){8,9}(?!\d)"), 0),
    # Group 1 is the name; the title before it stays in the public text.
    (NAME, re.compile(rf"\b(?:{_TITLES})\.?\s+({_FULL_NAME})"), 1),
    (NAME, re.compile(rf"\b(?i:{_JOBS})\s+({_FULL_NAME})"), 1),
)


@dataclass(frozen=True)
class Suggestion:
    """One suggested redaction: what was found, where, and what replaces it."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def replacement(self) -> str:
        return REPLACEMENTS[self.kind]

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def suggest_redactions(text: str) -> tuple[Suggestion, ...]:
    """Personal details found in ``text``, in order, never overlapping.

    Where two patterns overlap, the one starting first wins, then the longer one.
    """
    found: list[tuple[int, int, int, Suggestion]] = []
    for priority, (kind, pattern, group) in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            start, end = match.span(group)
            suggestion = Suggestion(kind, start, end, text[start:end])
            found.append((start, -(end - start), priority, suggestion))
    chosen: list[Suggestion] = []
    for _, _, _, suggestion in sorted(found, key=lambda item: item[:3]):
        if chosen and suggestion.start < chosen[-1].end:
            continue
        chosen.append(suggestion)
    return tuple(chosen)


def apply_redactions(text: str, suggestions: tuple[Suggestion, ...]) -> str:
    """``text`` with each suggestion replaced by its placeholder."""
    pieces = []
    position = 0
    for suggestion in sorted(suggestions, key=lambda s: s.start):
        if suggestion.start < position:
            raise ValueError(f"redactions overlap at character {suggestion.start}")
        pieces.append(text[position : suggestion.start])
        pieces.append(suggestion.replacement)
        position = suggestion.end
    pieces.append(text[position:])
    return "".join(pieces)


def redact(text: str) -> str:
    """``text`` with every suggested redaction applied: the starting point for the
    moderator's public version."""
    return apply_redactions(text, suggest_redactions(text))
