"""Answers held between the pages of the form, until they are sent or abandoned.

They live in the person's session (the database session store), never in a feedback
table: nothing is recorded as feedback until the person presses "Send feedback". Sessions
end when the browser closes and after 8 hours at most; ``manage.py clearsessions`` removes
ended ones (docs/feedback.md). Sending removes the answers from the session at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from pcref.web.feedback.flows import Flow

_DRAFT_KEY = "pcref_feedback_draft_{version}"
_SENT_KEY = "pcref_feedback_sent"


@dataclass
class Draft:
    """The answers so far, which pages are done, and whether a program filled it in."""

    answers: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    filled_by_a_program: bool = False

    def first_unanswered(self, flow: Flow, before: int) -> str | None:
        """The first page before page ``before`` that has not been done, if any."""
        for step in flow.steps[:before]:
            if step.slug not in self.done:
                return step.slug
        return None

    def record(self, slug: str, answers: dict[str, Any]) -> None:
        self.answers.update(answers)
        if slug not in self.done:
            self.done.append(slug)


def load(request: HttpRequest, flow: Flow) -> Draft:
    """This person's answers so far to ``flow``'s version of the form (shared between
    languages, so switching language keeps them)."""
    stored = request.session.get(_DRAFT_KEY.format(version=flow.version)) or {}
    return Draft(
        answers=dict(stored.get("answers", {})),
        done=list(stored.get("done", [])),
        filled_by_a_program=bool(stored.get("filled_by_a_program", False)),
    )


def save(request: HttpRequest, flow: Flow, draft: Draft) -> None:
    request.session[_DRAFT_KEY.format(version=flow.version)] = {
        "answers": draft.answers,
        "done": draft.done,
        "filled_by_a_program": draft.filled_by_a_program,
    }


def finish(request: HttpRequest, flow: Flow, reference: str) -> None:
    """Forget the answers and remember only the reference, for the thank-you page."""
    request.session.pop(_DRAFT_KEY.format(version=flow.version), None)
    request.session[_SENT_KEY] = reference


def sent_reference(request: HttpRequest) -> str | None:
    return request.session.get(_SENT_KEY)
