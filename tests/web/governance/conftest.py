"""Governance fixtures: evidence stored in a temporary MEDIA_ROOT, and a helper to post a
complete action form."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def action_form(**overrides) -> dict:
    """A complete, valid action form as a browser would post it."""
    data = {
        "title": "Culturally appropriate advocacy on every acute ward",
        "description": "Advocates from community organisations on each acute ward.",
        "priority_area": "mha_detentions",
        "competencies": ["co_production", "partnership_working"],
        "metric_id": "",
        "ethnic_group": "",
        "feedback_themes": [],
        "you_said_we_did": [],
        "owner": "Chief Nurse",
        "partners": "Kent Black Mental Health Forum",
        "start_date": "1 4 2024",
        "due_date": "31 3 2026",
        "status": "on_track",
        "rag_override": "derived",
        "rag_reason": "",
    }
    data.update(overrides)
    return data
