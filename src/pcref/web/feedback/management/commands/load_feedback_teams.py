"""``manage.py load_feedback_teams WAREHOUSE.duckdb``: the teams people can give feedback
about, from the warehouse's ``team`` lookup.

Why the warehouse: its team list is the trust's own, already validated against the data
contract on ingest, and its codes are the ones results by team use, so feedback about a
team joins to that team's figures. Only the lookup table is read (code, name, locality);
no record-level data reaches the web application.

Safe to run again after every ingest: teams are added or renamed, and teams no longer in
the list are marked inactive (not offered any more, still named on older feedback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pcref.web.feedback.models import Team

TEAM_TABLE = "team"
COLUMNS = ("UniqCareProfTeamID", "TeamName", "Locality")


def read_teams(warehouse: Path) -> list[tuple[str, str, str]]:
    """(code, name, locality) for every team in the warehouse, or a clear error."""
    if not warehouse.is_file():
        raise CommandError(f"{warehouse}: no such warehouse file")
    try:
        connection = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise CommandError(f"{warehouse}: not a DuckDB warehouse ({error})") from None
    try:
        tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
        if TEAM_TABLE not in tables:
            raise CommandError(f"{warehouse}: no {TEAM_TABLE!r} table (run pcref ingest first)")
        present = {row[0] for row in connection.execute(f"DESCRIBE {TEAM_TABLE}").fetchall()}
        missing = [column for column in COLUMNS if column not in present]
        if missing:
            raise CommandError(
                f"{warehouse}: table {TEAM_TABLE!r} has no column {', '.join(missing)} "
                f"(expected {', '.join(COLUMNS)})"
            )
        rows = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM {TEAM_TABLE} ORDER BY TeamName"
        ).fetchall()
    finally:
        connection.close()
    return [(str(code), str(name), str(locality or "")) for code, name, locality in rows]


def store_teams(teams: list[tuple[str, str, str]]) -> dict[str, int]:
    """Make the Team table match ``teams``; counts of added, updated and retired teams."""
    counts = {"added": 0, "updated": 0, "retired": 0}
    codes = {code for code, _name, _locality in teams}
    with transaction.atomic():
        for code, name, locality in teams:
            _team, created = Team.objects.update_or_create(
                code=code, defaults={"name": name, "locality": locality, "active": True}
            )
            counts["added" if created else "updated"] += 1
        counts["retired"] = (
            Team.objects.filter(active=True).exclude(code__in=codes).update(active=False)
        )
    return counts


class Command(BaseCommand):
    help = "Load the teams people can give feedback about from a warehouse's team lookup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("warehouse", type=Path, help="the DuckDB warehouse (pcref ingest)")

    def handle(self, *args: Any, warehouse: Path, **options: Any) -> None:
        teams = read_teams(warehouse)
        counts = store_teams(teams)
        self.stdout.write(
            f"{len(teams)} teams from {warehouse}: {counts['added']} added, "
            f"{counts['updated']} updated, {counts['retired']} no longer listed"
        )
