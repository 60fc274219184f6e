"""``manage.py load_feedback_teams``: the team list from a warehouse's team lookup."""

from __future__ import annotations

import duckdb
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from pcref.web.feedback.models import Team

pytestmark = pytest.mark.django_db


def _warehouse(path, rows, columns=("UniqCareProfTeamID", "TeamName", "Locality")):
    connection = duckdb.connect(str(path))
    connection.execute(f"CREATE TABLE team ({', '.join(f'{c} VARCHAR' for c in columns)})")
    connection.executemany(f"INSERT INTO team VALUES ({', '.join('?' for _ in columns)})", rows)
    connection.close()
    return path


def test_teams_are_loaded_renamed_and_retired(tmp_path, capsys):
    first = _warehouse(
        tmp_path / "one.duckdb",
        [("T1", "Dover Community Mental Health Team", "East Kent"), ("T2", "Crisis Team", "")],
    )
    call_command("load_feedback_teams", str(first))
    assert "2 teams" in capsys.readouterr().out
    assert list(Team.objects.values_list("code", "name", "active")) == [
        ("T2", "Crisis Team", True),
        ("T1", "Dover Community Mental Health Team", True),
    ]

    second = _warehouse(tmp_path / "two.duckdb", [("T2", "Crisis Resolution Team", "Medway")])
    call_command("load_feedback_teams", str(second))
    assert "0 added, 1 updated, 1 no longer listed" in capsys.readouterr().out
    assert dict(Team.objects.values_list("code", "active")) == {"T1": False, "T2": True}
    assert Team.objects.get(code="T2").name == "Crisis Resolution Team"

    # Only active teams are offered on the form.
    page = Client().get("/feedback/en/about-your-feedback/", follow=True).content.decode()
    assert "Dover Community Mental Health Team" not in page


def test_the_form_offers_loaded_teams(tmp_path):
    warehouse = _warehouse(tmp_path / "w.duckdb", [("T9", "Medway Early Intervention", "")])
    call_command("load_feedback_teams", str(warehouse))
    client = Client()
    client.post("/feedback/en/experience/", {"fft_answer": "1"})
    page = client.get("/feedback/en/about-your-feedback/").content.decode()
    assert '<option value="T9">Medway Early Intervention</option>' in page
    refused = client.post("/feedback/en/about-your-feedback/", {"service": "T404"})
    assert "Select a service or team from the list" in refused.content.decode()


def test_a_warehouse_without_the_columns_is_refused_by_name(tmp_path):
    warehouse = _warehouse(
        tmp_path / "w.duckdb", [("T1", "A team")], ("UniqCareProfTeamID", "TeamName")
    )
    with pytest.raises(CommandError, match=r"w\.duckdb: table 'team' has no column Locality"):
        call_command("load_feedback_teams", str(warehouse))


def test_a_missing_warehouse_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such warehouse file"):
        call_command("load_feedback_teams", str(tmp_path / "absent.duckdb"))
