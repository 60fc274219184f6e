"""What the data-quality page shows, as data: one recording-quality (``dq_*_recorded``)
metric's coverage, validity and accuracy by team, worst coverage first, and over time for the
trust and a chosen team.

Recording gaps are where PCREF starts: a team that records ethnicity for 60% of its caseload
cannot show whether its care differs by ethnic group. Ranking teams worst first tells a PCREF
lead where to act. What coverage, validity and accuracy mean is taken from the metric's own
catalogue description (:func:`definitions`), so the page and the catalogue never disagree.

Frames are results rows of one metric under the person's disclosure policy, numbers as shown
(:mod:`pcref.web.dashboard.shown`).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from pcref.web.dashboard.metric_page import WITHHELD_NOTE, Section, Table
from pcref.web.dashboard.shown import count_text
from pcref.web.dashboard.team_profile import (
    RECORDING_METRICS,
    TEAM,
    TOTAL,
    cross,
    shown_records,
)

#: The statistics of every recording-quality metric, in the catalogue's order.
STATISTICS = ("coverage", "validity", "accuracy")
#: Time breakdowns the page offers; only quarters are also reported by team.
TIME_BREAKDOWNS = {"quarter": "Quarter", "month": "Month"}
TEAM_TIME = "quarter"
#: Where each statistic's definition starts in a dq metric's description.
_DEFINITIONS = re.compile(
    r"Coverage is (?P<coverage>[^;]+);\s*validity (?P<validity>[^;]+);\s*"
    r"accuracy (?P<accuracy>.+?)\.(?:\s+(?=[A-Z\"])|$)",
    re.DOTALL,
)


def definitions(description: str) -> dict[str, str]:
    """Coverage, validity and accuracy in one sentence each, cut from a dq metric's
    description ("Coverage is the percentage …; validity the percentage …; accuracy …").
    Empty when the description does not follow that pattern (the page then shows the whole
    description)."""
    match = _DEFINITIONS.search(" ".join(description.split()))
    if match is None:
        return {}
    return {name: f"{name.capitalize()}: {match[name].strip()}." for name in STATISTICS}


def _value(record: dict) -> str:
    if record["withheld"]:
        return "*"
    return f"{record['value_text']}%" if record["value_text"] else "No figure"


def _with_interval(record: dict) -> str:
    text = _value(record)
    if record["withheld"] or not record["interval_text"]:
        return text
    return f"{text} ({record['interval_text']})"


def _people(record: dict) -> str:
    denominator = record["denominator"]
    return "*" if math.isnan(denominator) and record["withheld"] else count_text(denominator)


def by_team(rows: pd.DataFrame, metric_title: str, period: str) -> Section:
    """Each team's coverage, validity and accuracy (with 95% intervals) for one period,
    teams ranked by coverage, worst first; the trust's figures first. Teams whose coverage is
    withheld cannot be ranked and come last, by name."""
    records = [r for r in shown_records(rows[rows["period"] == period])
               if r["breakdown"] in (TOTAL, TEAM)]
    present = {r["statistic"] for r in records}
    statistics = [s for s in STATISTICS if s in present]
    by_group: dict[tuple[str, str], dict[str, dict]] = {}
    for record in records:
        by_group.setdefault((record["breakdown"], record["group"]), {})[
            record["statistic"]] = record

    def line(name: str, found: dict[str, dict]) -> list[str]:
        first = found.get(statistics[0]) if statistics else None
        cells = [name, _people(first) if first else ""]
        return cells + [_with_interval(found[s]) if s in found else "" for s in statistics]

    def rank(key: tuple[str, str]) -> tuple:
        first = by_group[key].get(statistics[0]) if statistics else None
        value = math.nan if first is None or first["withheld"] else first["value"]
        return (math.isnan(value), 0 if math.isnan(value) else value, key[1].casefold())

    teams = sorted((k for k in by_group if k[0] == TEAM), key=rank)
    table_rows = [line("Whole trust", by_group.get((TOTAL, "Total"), {}))]
    table_rows += [line(str(key[1]), by_group[key]) for key in teams]
    withheld = any(r["withheld"] for r in records)
    worst = statistics[0] if statistics else "coverage"
    table = Table(
        caption=f"{metric_title} by team, {period}, worst {worst} first",
        head=["Team", "People", *(f"{s.capitalize()} (95% interval)" for s in statistics)],
        rows=table_rows,
        numeric=[False, True, *(True for _ in statistics)],
    )
    notes = [WITHHELD_NOTE] if withheld else []
    return Section(key="by-team", heading=f"By team, {period}", table=table, notes=notes)


def over_time(rows: pd.DataFrame, statistic: str, time: str, team: str | None) -> Section:
    """One statistic over every period's months or quarters, for the trust and (by
    quarter only: the metrics are reported by team and quarter) the chosen team."""
    records = [r for r in shown_records(rows) if r["statistic"] == statistic]
    trust = [r for r in records if r["breakdown"] == time]  # results are in time order
    with_team = team is not None and time == TEAM_TIME
    team_shown = {r["subgroup"]: r for r in records
                  if with_team and r["breakdown"] == cross(TEAM_TIME) and r["group"] == team}
    head = [TIME_BREAKDOWNS[time], f"Trust: {statistic}", "Trust: people"]
    if with_team:
        head += [f"{team}: {statistic}", f"{team}: people"]
    table_rows, withheld = [], False
    for record in trust:
        cells = [str(record["group"]), _with_interval(record), _people(record)]
        withheld |= record["withheld"]
        if with_team:
            mine = team_shown.get(record["group"])
            cells += [_with_interval(mine), _people(mine)] if mine else ["No one seen", "0"]
            withheld |= bool(mine and mine["withheld"])
        table_rows.append(cells)
    notes = [WITHHELD_NOTE] if withheld else []
    if team is not None and not with_team:
        notes.append("Teams are reported by quarter only: choose quarters to see the team "
                     "beside the trust.")
    notes.append("People are counted in the month or quarter of their first attended contact "
                 "with the team in the year.")
    who = f"the trust and {team}" if with_team else "the trust"
    table = Table(
        caption=f"{statistic.capitalize()} by {TIME_BREAKDOWNS[time].lower()}, {who}",
        head=head,
        rows=table_rows,
        numeric=[False, *(True for _ in head[1:])],
    )
    return Section(key="over-time", heading="Over time", table=table, notes=notes)


def recording_metric_ids(available: list[str]) -> list[str]:
    """The recording-quality metrics of a run, in the profile's order."""
    return [m for m in RECORDING_METRICS if m in available]
