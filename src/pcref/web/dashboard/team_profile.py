"""What a team's profile page shows, as data: who is in the team's caseload — ethnic group,
preferred language, interpreter need, religion or belief, disability — beside the trust's
shares, and how completely the team records each characteristic compared with the trust.

A team manager or clinician reads it to personalise care plans (DESIGN §2): which languages
to have interpreters and translated leaflets for, which faiths to plan around, how many
people have a disability; and where the team's own recording falls short.

The figures are the catalogue metric ``team_caseload`` (shares of the team's caseload,
``team x <characteristic>``, and of the trust's, the one-way breakdowns) and the
``dq_*_recorded`` metrics' coverage by team. Everything is built from frames of results rows
already filtered to the person's disclosure policy, numbers as shown
(:mod:`pcref.web.dashboard.shown`), so this module needs no database and never sees a number
the person may not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from django.utils.text import slugify

from pcref.metrics.breakdowns import Split
from pcref.web.dashboard.metric_page import WITHHELD_NOTE, Section, Table
from pcref.web.dashboard.shown import count_text, shown_frame

#: The catalogue metric holding team caseloads and their shares.
CASELOAD_METRIC = "team_caseload"
#: The caseload profile's characteristics: breakdown → heading.
PROFILE_BREAKDOWNS = {
    "ethnicity_16": "Ethnic group",
    "preferred_language": "Preferred language",
    "interpreter_need": "Interpreter need",
    "religion": "Religion or belief",
    "disability": "Disability",
}
#: Breakdowns with many groups, where only the team's own groups are listed.
TEAM_GROUPS_ONLY = ("preferred_language",)
#: The recording-quality metrics, in the order of the profile, with what each records.
RECORDING_METRICS = {
    "dq_ethnicity_recorded": "ethnicity",
    "dq_language_recorded": "preferred language",
    "dq_interpreter_need_recorded": "interpreter need",
    "dq_religion_recorded": "religion or belief",
    "dq_disability_recorded": "disability",
    "dq_gender_identity_recorded": "gender identity",
}
#: The data-quality statistic the profile compares (the others are on the data-quality page).
COVERAGE = "coverage"
TEAM = "team"
TOTAL = "total"


def cross(breakdown: str) -> str:
    """The team cross of a breakdown: ``religion`` → ``team x religion``."""
    return Split(TEAM, breakdown).name


def team_slug(name: str) -> str:
    """A team's name as it appears in its page's address."""
    return slugify(name)


@dataclass
class TeamEntry:
    """A team in the list of teams: its name, address slug and caseload as shown."""

    name: str
    slug: str
    caseload: str
    share: str


def shown_records(rows: pd.DataFrame) -> list[dict]:
    """Results rows as shown (:func:`~pcref.web.dashboard.shown.shown_row`), each with its
    ``breakdown`` and ``metric_id``: converted once per page, then looked up in Python."""
    shown = shown_frame(rows)
    shown["breakdown"] = rows["breakdown"].to_numpy()
    shown["metric_id"] = rows["metric_id"].to_numpy() if "metric_id" in rows else None
    return shown.to_dict("records")


def teams(caseload_rows: pd.DataFrame) -> list[TeamEntry]:
    """The teams of one period's ``team`` rows of ``team_caseload``, by name. Teams whose
    names give the same slug keep the first (the address must name one team)."""
    records = [r for r in shown_records(caseload_rows) if r["breakdown"] == TEAM]
    entries: dict[str, TeamEntry] = {}
    for record in sorted(records, key=lambda r: str(r["group"]).casefold()):
        slug = team_slug(str(record["group"]))
        if slug and slug not in entries:
            entries[slug] = TeamEntry(
                name=str(record["group"]), slug=slug, caseload=_count(record),
                share=_share(record),
            )
    return list(entries.values())


def _count(record: dict) -> str:
    if math.isnan(record["numerator"]):
        return "*" if record["withheld"] else ""
    return count_text(record["numerator"])


def _share(record: dict) -> str:
    if record["withheld"]:
        return "*"
    return f"{record['value_text']}%" if record["value_text"] else ""


def _interval(record: dict) -> str:
    return record["interval_text"] if not record["withheld"] else ""


@dataclass
class RecordingRow:
    """One characteristic's recording coverage for the team and the trust."""

    metric_id: str
    characteristic: str
    team: str
    team_interval: str
    trust: str
    sentence: str


@dataclass
class TeamProfile:
    """Everything the team's page shows for one period."""

    team: str
    period: str
    caseload: str
    sections: list[Section]
    recording: list[RecordingRow] = field(default_factory=list)
    recording_sentences: list[str] = field(default_factory=list)


def profile_section(records: list[dict], team: str, breakdown: str) -> Section:
    """The team's caseload by one characteristic beside the trust's: counts and shares
    with their 95% intervals, from :func:`shown_records` of ``team_caseload``. A group the
    trust has but the team does not is a true zero (the engine reports every group with
    anyone in it)."""
    heading = PROFILE_BREAKDOWNS[breakdown]
    trust = [r for r in records if r["breakdown"] == breakdown]
    mine = {r["subgroup"]: r for r in records
            if r["breakdown"] == cross(breakdown) and r["group"] == team}
    rows, notes = [], []
    left_out = 0
    withheld = False
    for record in trust:
        group = record["group"]
        cell = mine.get(group)
        if cell is None and breakdown in TEAM_GROUPS_ONLY:
            left_out += 1
            continue
        if cell is None:
            team_cells = ["0", "0.0%", ""]
        else:
            team_cells = [_count(cell), _share(cell), _interval(cell)]
            withheld |= cell["withheld"]
        withheld |= record["withheld"]
        rows.append([str(group), *team_cells, _count(record), _share(record),
                     _interval(record)])
    if left_out:
        noun = "language is" if left_out == 1 else "languages are"
        notes.append(f"{left_out} other {noun} preferred by people in the trust's caseload "
                     "but by no one in this team's, and not listed.")
    if withheld:
        notes.append(WITHHELD_NOTE)
    table = Table(
        caption=f"{heading}: {team} and the trust",
        head=[heading, "Team: people", "Team: share", "Team: 95% interval", "Trust: people",
              "Trust: share", "Trust: 95% interval"],
        rows=rows,
        numeric=[False, True, True, True, True, True, True],
    )
    return Section(key=breakdown.replace("_", "-"), heading=heading, table=table, notes=notes)


def recording_rows(dq_rows: pd.DataFrame, team: str, titles: dict[str, str]) -> list[RecordingRow]:
    """Coverage of each recording-quality metric for the team and the trust (one period),
    with a plain-English sentence where the team records less than the trust."""
    coverage = [r for r in shown_records(dq_rows) if r["statistic"] == COVERAGE]
    found = []
    for metric_id, characteristic in RECORDING_METRICS.items():
        if metric_id not in titles:
            continue
        rows = [r for r in coverage if r["metric_id"] == metric_id]
        mine = [r for r in rows if r["breakdown"] == TEAM and r["group"] == team]
        trust = [r for r in rows if r["breakdown"] == TOTAL]
        if not mine or not trust:
            continue
        own, whole = mine[0], trust[0]
        found.append(RecordingRow(
            metric_id=metric_id, characteristic=characteristic, team=_share(own),
            team_interval=_interval(own), trust=_share(whole),
            sentence=recording_sentence(team, characteristic, own, whole),
        ))
    return found


def recording_sentence(team: str, characteristic: str, own: dict, whole: dict) -> str:
    """"Records less than the trust" in words, or "" when the team records as much or more,
    or either figure is withheld. The comparison uses the figures as shown."""
    if own["withheld"] or whole["withheld"]:
        return ""
    value, upper, trust = own["value"], own["upper"], whole["value"]
    if any(math.isnan(x) for x in (value, trust)) or value >= trust:
        return ""
    figures = (f"{own['value_text']}% of its caseload against {whole['value_text']}% across "
               "the trust")
    if not math.isnan(upper) and upper < trust:
        return f"{team} records {characteristic} for fewer people than the trust does: {figures}."
    return (f"{team} records {characteristic} for slightly fewer people than the trust does "
            f"({figures}), but the difference is within what chance alone could give.")


def team_profile(
    team: str, period: str, caseload_rows: pd.DataFrame, dq_rows: pd.DataFrame,
    titles: dict[str, str],
) -> TeamProfile:
    """The team's page for one period from ``team_caseload`` rows and ``dq_*`` rows of that
    period (``metric_id`` column), both under the person's disclosure policy."""
    records = shown_records(caseload_rows)
    own = [r for r in records if r["breakdown"] == TEAM and r["group"] == team]
    caseload = _count(own[0]) if own else ""
    present = {r["breakdown"] for r in records}
    sections = [profile_section(records, team, b) for b in PROFILE_BREAKDOWNS if b in present]
    recording = recording_rows(dq_rows, team, titles)
    return TeamProfile(
        team=team, period=period, caseload=caseload, sections=sections, recording=recording,
        recording_sentences=[r.sentence for r in recording if r.sentence],
    )
