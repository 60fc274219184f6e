"""The Triangle of Care's six standards and how a service's ratings changed between
self-assessments.

The wording of the standards is the Carers Trust's, from "The Triangle of Care – Carers
Included: A Guide to Best Practice in Mental Health Care in England" (2nd edition),
as published by the Carers Trust and member trusts (West London NHS Trust, South West
Yorkshire Partnership NHS FT) and the Meriden Family Programme, and recorded in the
project's research notes (shared/notes/feedback-ui.md §3.2). Check it against the guide
in use at the trust before relying on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcref.web.engagement.choices import TriangleOfCareRating


@dataclass(frozen=True)
class Standard:
    number: int
    text: str


STANDARDS: tuple[Standard, ...] = (
    Standard(
        1,
        "Carers and the essential role they play are identified at first contact or as soon "
        "as possible thereafter.",
    ),
    Standard(2, 'Staff are "carer aware" and trained in carer engagement strategies.'),
    Standard(
        3,
        "Policy and practice protocols on confidentiality and sharing information are in "
        "place.",
    ),
    Standard(4, "Defined post(s) responsible for carers are in place."),
    Standard(
        5,
        "A carer introduction to the service and staff is available, with a relevant range "
        "of information across the care pathway.",
    ),
    Standard(6, "A range of carer support services is available."),
)

_ORDER = {
    TriangleOfCareRating.RED: 0,
    TriangleOfCareRating.AMBER: 1,
    TriangleOfCareRating.GREEN: 2,
}


def change(previous: str | None, current: str) -> str:
    """How one standard's rating moved since the service's previous assessment:
    ``"first assessment"``, ``"improved"``, ``"no change"`` or ``"worse"``."""
    if previous is None:
        return "first assessment"
    step = _ORDER[TriangleOfCareRating(current)] - _ORDER[TriangleOfCareRating(previous)]
    if step > 0:
        return "improved"
    if step < 0:
        return "worse"
    return "no change"
