"""Why ``pcref load``, ``pcref retention`` and ``pcref serve`` refuse to use the app
database (pcref.web.command.app_database_problem): one wording for all three."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from pcref.web import command


@pytest.mark.django_db
def test_a_migrated_database_has_no_problem():
    assert command.app_database_problem("pcref.web.settings.test") is None


def test_migrations_to_apply_are_counted_and_the_first_named(monkeypatch):
    monkeypatch.setattr(
        command, "unapplied_migrations", lambda: ["engagement.0004_a", "feedback.0009_b"]
    )
    assert command.app_database_problem("my.settings") == (
        "Error: the app database (my.settings) is not up to date: 2 migration(s) to apply, "
        "e.g. engagement.0004_a. Run `uv run python manage.py migrate` first."
    )
    assert command.app_database_problem("my.settings", then="Then X.").endswith(
        "e.g. engagement.0004_a. Then X."
    )


def test_a_database_that_cannot_be_reached_is_named(monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(command, "unapplied_migrations", refuse)
    assert command.app_database_problem("my.settings") == (
        "Error: cannot reach the app database (my.settings): connection refused"
    )
