"""Self-assessment progress: each item's score beside the previous assessment's."""

from __future__ import annotations

from typing import Any

from pcref.web.governance.choices import ASSESSMENT_PARTS, Score
from pcref.web.governance.models import SelfAssessment


def change_words(now: int | None, before: int | None) -> str:
    """How a score moved, in words: "Up 1 (from Developing)", "No change", "First scored"."""
    if now is None:
        return "Not scored"
    if before is None:
        return "First scored"
    if now == before:
        return "No change"
    steps = abs(now - before)
    return f"{'Up' if now > before else 'Down'} {steps} (from {Score(before).label})"


def assessment_rows(
    assessment: SelfAssessment, previous: SelfAssessment | None
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(part heading, rows) with each item's label, score, evidence and change since
    ``previous`` (None for the first assessment)."""
    scores = {s.item: s for s in assessment.scores.all()}
    earlier = {s.item: s.score for s in previous.scores.all()} if previous else {}
    parts = []
    for heading, choices in ASSESSMENT_PARTS:
        rows = []
        for key, label in choices.choices:
            score = scores.get(key)
            now = score.score if score else None
            rows.append({
                "item": key, "label": label, "score": now,
                "score_label": Score(now).label if now else "Not scored",
                "evidence": score.evidence if score else "",
                "previous": earlier.get(key),
                "change": change_words(now, earlier.get(key)),
                "direction": "same" if now is None or earlier.get(key) is None
                or now == earlier[key] else ("up" if now > earlier[key] else "down"),
            })  # fmt: skip
        parts.append((heading, rows))
    return parts
