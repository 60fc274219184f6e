"""team_caseload: each team's caseload by ethnic group, language, interpreter need, religion and
disability, as shares of the team, on a hand-built warehouse worked out by hand.

The people (all seen in 2024-25; Alpha team is T1, Beta team T2):

====== ===== ===== ======== =========== ============================ ==================
person teams  eth. language interpreter religion records              disability records
====== ===== ===== ======== =========== ============================ ==================
p1     T1 T2  A     en       N           C (2020-01-01), L (2023-06)  NN, 04
p2     T1     N     so       Y           G                            NN
p3     T1     Z     (blank)  Z           M                            ZZ
p4     T1     A     xx       (blank)     (none)                       (none)
p5     T2     (not in MHS001MPI)
====== ===== ===== ======== =========== ============================ ==================

So Alpha's caseload is 4 people and Beta's 2; the Total is the sum of the teams' caseloads, 6.
"""

import datetime as dt
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import sqlglot
from scipy.optimize import linprog

from pcref.metrics import engine
from pcref.metrics.backend import DuckDBBackend
from pcref.metrics.catalogue import load_catalogue, parse_metric
from pcref.metrics.periods import parse_periods
from pcref.metrics.sql import tables_read, unit_rows

ID = "team_caseload"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
PERIODS = parse_periods("2024-25")
Z = 1.959963984540054
CROSSES = ("ethnicity_16", "preferred_language", "interpreter_need", "religion", "disability")


def wilson(x: int, n: int) -> tuple[float, float, float]:
    """x / n as a percentage with Wilson's 95% score interval, from the textbook formula."""
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return 100 * p, 100 * (centre - half), 100 * (centre + half)


def person(person_id, ethnic, language=None, interpreter=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40,
            "EthnicCategory": ethnic, "LanguageCodePreferred": language,
            "InterpreterRequired": interpreter}


@pytest.fixture
def profiled(warehouse, insert, contact):
    insert("team", [{"UniqCareProfTeamID": "T1", "TeamName": "Alpha team"},
                    {"UniqCareProfTeamID": "T2", "TeamName": "Beta team"}])
    insert("MHS001MPI", [person("p1", "A", "en", "N"), person("p2", "N", "so", "Y"),
                         person("p3", "Z", "", "Z"), person("p4", "A", "xx", None)])
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-05-01"), contact("C2", "p1", "2024-06-01", team="T2"),
        contact("C3", "p2", "2024-07-01"), contact("C4", "p3", "2024-08-01"),
        contact("C5", "p4", "2024-09-01"), contact("C6", "p5", "2024-10-01", team="T2"),
        contact("C7", "p4", "2024-09-02", attendance="7"),  # did not attend: still one row
    ])
    insert("MHS011SocPerCircumstances", [
        {"Person_ID": "p1", "ReligiousAffiliationGroup": "C",
         "SocPerCircumstanceRecDate": "2020-01-01"},
        {"Person_ID": "p1", "ReligiousAffiliationGroup": "L",
         "SocPerCircumstanceRecDate": "2023-06-01"},
        {"Person_ID": "p2", "ReligiousAffiliationGroup": "G",
         "SocPerCircumstanceRecDate": "2022-01-01"},
        {"Person_ID": "p3", "ReligiousAffiliationGroup": "M",
         "SocPerCircumstanceRecDate": "2022-01-01"},
    ])
    insert("MHS007DisabilityType", [
        {"Person_ID": "p1", "DisabCode": "NN"}, {"Person_ID": "p1", "DisabCode": "04"},
        {"Person_ID": "p2", "DisabCode": "NN"}, {"Person_ID": "p3", "DisabCode": "ZZ"},
    ])
    return engine.compute(DuckDBBackend(warehouse), PERIODS, [ID])


def shares(run, breakdown, view="exact"):
    """{(group, subgroup): (numerator, denominator, value, lower, upper)} of one breakdown."""
    rows = getattr(run, view)
    rows = rows[rows["breakdown"] == breakdown]
    return {
        (g, s): (n, d, v, lo, up)
        for g, s, n, d, v, lo, up in zip(rows["group"], rows["subgroup"], rows["numerator"],
                                         rows["denominator"], rows["value"], rows["lower"],
                                         rows["upper"], strict=True)
    }


def test_definition_parses_and_transpiles_to_spark():
    assert load_catalogue()[ID] == METRIC
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("share", "margin", 100)
    assert METRIC.statistics == ("share of caseload",)
    assert METRIC.cross_breakdowns == tuple(("team", b) for b in CROSSES)
    assert {"team", *CROSSES} <= set(METRIC.breakdowns)
    assert METRIC.requires == ("people_seen_by_team",)
    assert "people_seen_by_team" in tables_read(METRIC.sql)
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_one_unit_row_per_person_and_team(profiled, warehouse):
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert sorted(zip(rows["Person_ID"], rows["team_id"], rows["numerator"], strict=True)) == [
        ("p1", "T1", 1), ("p1", "T2", 1), ("p2", "T1", 1), ("p3", "T1", 1), ("p4", "T1", 1),
        ("p5", "T2", 1)]
    assert set(rows["statistic"]) == {"share of caseload"}


def test_each_attribute_is_grouped_as_documented(profiled):
    run = profiled
    assert run.record["metrics"][ID]["status"] == "computed", run.record["metrics"][ID]
    # p1 is in both teams' caseloads, so counts twice in the Total.
    expected = {
        "preferred_language": {"English": 2, "Somali": 1, "Not recorded": 1, "Not known": 2},
        "interpreter_need": {"No interpreter needed": 2, "Interpreter needed": 1,
                             "Not stated": 1, "Not recorded": 1, "Not known": 1},
        # p1's latest record (L) wins over the earlier C.
        "religion": {"No religion": 2, "Muslim": 1, "Not stated": 1, "Not recorded": 1,
                     "Not known": 1},
        # Any disability code beats NN.
        "disability": {"Any disability": 2, "No disability": 1, "Not stated": 1,
                       "Not recorded": 1, "Not known": 1},
        "ethnicity_16": {"White British": 3, "Black African": 1, "Not stated": 1,
                         "Not known": 1},
        "team": {"Alpha team": 4, "Beta team": 2},
    }
    for breakdown, counts in expected.items():
        found = shares(run, breakdown)
        assert {g: n for (g, _), (n, *_) in found.items()} == counts, breakdown
        # One-way shares are of the Total: the sum of the teams' caseloads.
        for (group, _), (_, d, value, lower, upper) in found.items():
            assert d == 6
            assert (value, lower, upper) == pytest.approx(wilson(counts[group], 6))


def test_team_crosses_are_shares_of_the_team(profiled):
    run = profiled
    language = shares(run, "team x preferred_language")
    assert set(language) == {("Alpha team", "English"), ("Alpha team", "Somali"),
                             ("Alpha team", "Not recorded"), ("Alpha team", "Not known"),
                             ("Beta team", "English"), ("Beta team", "Not known")}
    for (team, _), (n, d, value, lower, upper) in language.items():
        assert (n, d) == (1, 4 if team == "Alpha team" else 2)
        assert (value, lower, upper) == pytest.approx(wilson(1, d))
    for breakdown in CROSSES:
        found = run.exact[run.exact["breakdown"] == f"team x {breakdown}"]
        assert found.groupby("group")["value"].sum().to_dict() == pytest.approx(
            {"Alpha team": 100.0, "Beta team": 100.0})
    # Shares are not compared between groups: no reference group is meaningful.
    assert run.exact["comparator"].isna().all()


def test_the_public_file_shows_no_small_count_and_no_share_of_one(profiled):
    public = profiled.public
    shown = public["numerator"].dropna()
    assert not shown.between(1, 7).any()
    # Every count here is 1-6, so every share's count is withheld with its value.
    hidden = public["numerator"].isna()
    assert public.loc[hidden, "value"].isna().all()
    assert (public.loc[hidden, "display_value"] == "*").all()
    # A denominator is its margin as published: never the exact 4, 2 or 6.
    assert public["denominator"].isna().all()


# -- the attacker who differences a team's caseload against its groups -----------------------


def bigger_trust(insert, contact):
    """Alpha: Christian 30, Muslim 3, No religion 20 (53); Beta: 25, 10, 15 (50)."""
    insert("team", [{"UniqCareProfTeamID": "T1", "TeamName": "Alpha team"},
                    {"UniqCareProfTeamID": "T2", "TeamName": "Beta team"}])
    people, contacts, religion = [], [], []
    plan = {"T1": {"C": 30, "G": 3, "L": 20}, "T2": {"C": 25, "G": 10, "L": 15}}
    for team, groups in plan.items():
        for code, count in groups.items():
            for i in range(count):
                pid = f"{team}-{code}-{i}"
                people.append(person(pid, "A", "en", "N"))
                contacts.append(contact(f"C-{pid}", pid, "2024-05-01", team=team))
                religion.append({"Person_ID": pid, "ReligiousAffiliationGroup": code,
                                 "SocPerCircumstanceRecDate": "2023-01-01"})
    insert("MHS001MPI", people)
    insert("MHS201CareContact", contacts)
    insert("MHS011SocPerCircumstances", religion)


def recovered_cells(exact: pd.DataFrame, public: pd.DataFrame, breakdown: str) -> list[str]:
    """Hidden counts of the team x ``breakdown`` table that a reader can work out exactly.

    The reader (stronger than a real one: every shown count taken as exact, not rounded to 5)
    knows that each team's cells add up to the team's caseload, each group's cells over teams
    to the group's one-way row, and the teams and the groups to the Total; a hidden count is
    1-7 when primary, else at least 8. Linear programming finds each hidden cell's least and
    greatest possible value: equal means recovered.
    """
    keep = exact["breakdown"].isin(["total", "team", breakdown, f"team x {breakdown}"])
    cells = exact[keep].reset_index(drop=True)
    out = public[keep.to_numpy()].reset_index(drop=True)
    key = list(zip(cells["breakdown"], cells["group"], cells["subgroup"].fillna(""),
                   strict=True))
    position = {k: i for i, k in enumerate(key)}
    equations = []

    def line(total, members):
        row = np.zeros(len(key))
        row[[position[m] for m in members]] = 1
        row[position[total]] = -1
        equations.append(row)

    cross = f"team x {breakdown}"
    teams = [k for k in key if k[0] == "team"]
    groups = [k for k in key if k[0] == breakdown]
    line(("total", "Total", ""), teams)
    line(("total", "Total", ""), groups)
    for team in teams:
        line(team, [k for k in key if k[0] == cross and k[1] == team[1]])
    for group in groups:
        line(group, [k for k in key if k[0] == cross and k[2] == group[1]])
    true = cells["numerator"].to_numpy(dtype=float)
    hidden = out["numerator"].isna().to_numpy()
    primary = (out["status"].str.startswith("suppressed_small_count")).to_numpy()
    low = np.where(hidden, np.where(primary, 1.0, 8.0), true)
    high = np.where(hidden, np.where(primary, 7.0, np.inf), true)
    bounds = [(lo, None if np.isinf(hi) else hi) for lo, hi in zip(low, high, strict=True)]
    a = np.array(equations)
    found = []
    for k in np.flatnonzero(hidden):
        objective = np.zeros(len(key))
        objective[k] = 1.0
        least = linprog(objective, A_eq=a, b_eq=np.zeros(len(a)), bounds=bounds, method="highs")
        most = linprog(-objective, A_eq=a, b_eq=np.zeros(len(a)), bounds=bounds, method="highs")
        assert least.status == 0, "the true table must be consistent with what is published"
        if most.status == 0 and round(-most.fun) == round(least.fun):
            found.append(" / ".join(key[k]))
    return found


def test_a_team_total_cannot_be_differenced_against_its_groups(warehouse, insert, contact):
    bigger_trust(insert, contact)
    run = engine.compute(DuckDBBackend(warehouse), PERIODS, [ID])
    exact, public = run.exact, run.public
    cell = (public["breakdown"] == "team x religion") & (public["group"] == "Alpha team")
    alpha = public[cell].set_index("subgroup")
    # Alpha's 3 Muslims are hidden, and so is a second Alpha cell: otherwise 53 - 30 - 20.
    assert pd.isna(alpha.loc["Muslim", "numerator"])
    assert alpha["numerator"].isna().sum() >= 2
    # Beta's Muslims too: otherwise the one-way Muslim row (13) - Beta's 10.
    muslim = public[(public["breakdown"] == "team x religion") & (public["subgroup"] == "Muslim")]
    assert muslim["numerator"].isna().sum() >= 2
    assert recovered_cells(exact, public, "religion") == []
    # The attacker is not toothless: NHS England's rule (no secondary suppression) gives the
    # 3 away, as the internal file may.
    assert recovered_cells(exact, run.internal, "religion") == [
        "team x religion / Alpha team / Muslim"]
    # A hidden count's share is hidden with it; the team's caseload is shown as the
    # denominator, rounded as on the team's own row.
    assert alpha["value"][alpha["numerator"].isna()].isna().all()
    assert set(alpha["denominator"]) == {55.0}
    assert exact[(exact["breakdown"] == "team") & (exact["group"] == "Alpha team")][
        "numerator"].tolist() == [53]


def test_a_trust_without_religion_or_disability_tables_has_everyone_not_recorded(
    warehouse, insert, contact
):
    insert("MHS001MPI", [person("p1", "A", "en", "N")])
    insert("MHS201CareContact", [contact("C1", "p1", "2024-05-01")])
    warehouse.execute('DROP TABLE "MHS011SocPerCircumstances"')
    warehouse.execute('DROP TABLE "MHS007DisabilityType"')
    run = engine.compute(DuckDBBackend(warehouse), PERIODS, [ID])
    assert run.record["metrics"][ID]["status"] == "computed"
    for breakdown in ("religion", "disability"):
        assert {g: n for (g, _), (n, *_) in shares(run, breakdown).items()} == {
            "Not recorded": 1}
