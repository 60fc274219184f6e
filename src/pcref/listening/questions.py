"""Which question a comment answers: "what was good", "what could be better" or neither.

The same words mean different things under different questions ("the staff" under "what
was good?" is praise), so the model sees the question type as a feature, as pxtextmining
does. The three types and the wordings that map to them follow pxtextmining's ``q_map``
(``../shared/notes/feedback-ui.md`` §1.3): "What was good?" is ``what_good``; "How could we
improve?" and "What could we do better?" are ``could_improve``; anything else ("FFT Why?",
"Please tell us why") is ``nonspecific``. The feedback form's own two boxes map to the first
two.
"""

from __future__ import annotations

import re

WHAT_GOOD = "what_good"
COULD_IMPROVE = "could_improve"
NONSPECIFIC = "nonspecific"
QUESTION_TYPES = (WHAT_GOOD, COULD_IMPROVE, NONSPECIFIC)

#: The feedback form's free-text fields (``Submission``) and the question each answers.
FORM_FIELDS = {"what_was_good": WHAT_GOOD, "what_could_be_better": COULD_IMPROVE}

_IMPROVE = re.compile(r"\b(?:improve\w*|better|do differently)\b", re.IGNORECASE)
_GOOD = re.compile(r"\bwhat\s+(?:was|went)\s+(?:good|well)\b", re.IGNORECASE)


def question_type(question: str) -> str:
    """The question type of a question's wording (blank or unknown: ``nonspecific``)."""
    if _IMPROVE.search(question):
        return COULD_IMPROVE
    if _GOOD.search(question):
        return WHAT_GOOD
    return NONSPECIFIC
