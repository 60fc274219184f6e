"""The parts of benchmarks/catalogue.py whose correctness the figures depend on (no timings).

* The scan bound reads exactly the columns the catalogue reads: the SQL column finder is
  checked on hand-written queries and against the columns the Mental Health Act preparation
  declares it reads (``pcref.metrics.prep.mha.INPUT_COLUMNS``, written by hand).
* The pandas version classifies legal-status episodes as NHS England does: checked on worked
  examples of docs/mha-detention-classification.md §2 (admission on 1 May 2024).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pcref.contract import WAREHOUSE_TYPES, load_contract
from pcref.metrics import prepare
from pcref.metrics.prep import mha

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "catalogue.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("catalogue_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


# -- the columns read ------------------------------------------------------------------------

SCHEMA = {
    "Episodes": {"Person_ID": "VARCHAR", "StartDate": "DATE", "Code": "VARCHAR",
                 "Unused": "VARCHAR"},
    "People": {"Person_ID": "VARCHAR", "Ethnicity": "VARCHAR", "Unused2": "VARCHAR"},
}
TABLES = {"episodes": "Episodes", "people": "People"}


def test_a_star_in_a_cte_counts_only_the_columns_used_outside_it(bench):
    sql = """
        WITH e AS (SELECT x.* FROM episodes AS x)
        SELECT Person_ID FROM e WHERE code = '02'
    """
    read, outputs = bench.columns_read(sql, SCHEMA, TABLES)
    assert read == {"Episodes": {"Person_ID", "Code"}}  # spelled as in the warehouse
    assert outputs == ["person_id"]


def test_unqualified_columns_of_a_join_are_resolved_to_their_table(bench):
    sql = """
        SELECT Ethnicity, COUNT(*) AS n
        FROM Episodes AS e JOIN People AS p ON p.Person_ID = e.Person_ID
        WHERE StartDate >= DATE '2024-04-01'
        GROUP BY Ethnicity
    """
    read, _ = bench.columns_read(sql, SCHEMA, TABLES)
    assert read == {"Episodes": {"Person_ID", "StartDate"}, "People": {"Person_ID", "Ethnicity"}}


def test_a_preparation_relation_is_not_a_warehouse_table(bench):
    schema = {**SCHEMA, "prepared": {"Person_ID": "UNKNOWN", "Code": "UNKNOWN"}}
    sql = "SELECT p.Person_ID, e.StartDate FROM prepared AS p JOIN Episodes AS e USING (Person_ID)"
    read, _ = bench.columns_read(sql, schema, TABLES)
    assert read == {"Episodes": {"Person_ID", "StartDate"}}


def test_the_mha_classification_reads_the_columns_it_declares(bench):
    contract = load_contract()
    schema = {
        name: {f: WAREHOUSE_TYPES[field.type] for f, field in table.fields.items()
               if field.type in WAREHOUSE_TYPES}
        for name, table in contract.tables.items()
    }
    tables = {name.lower(): name for name in schema}
    read, _ = bench.columns_read(prepare.sql_text("mha_episodes"), schema, tables)
    assert read == {table: set(columns) for table, columns in mha.INPUT_COLUMNS.items()}


def test_the_scan_reads_every_row_of_every_listed_table(bench):
    con = duckdb.connect()
    con.execute("CREATE TABLE a AS SELECT range AS x, range * 2 AS y FROM range(1000)")
    con.execute("CREATE TABLE b AS SELECT 'v' || range AS z FROM range(10)")
    rows = con.execute(bench.scan_sql({"a": ["x", "y"], "b": ["z"]})).fetchall()
    assert {table: count for table, count, _ in rows} == {"a": 1000, "b": 10}
    assert all(checksum is not None for _, _, checksum in rows)


# -- the pandas classification ---------------------------------------------------------------

ADMISSION = dt.date(2024, 5, 1)


def row(code: str, start: dt.date, *, start_time: str | None = None,
        adm_time: str | None = None, method: str = "11", end: dt.date | None = None,
        adm: dt.date = ADMISSION, previous: tuple[str, dt.date, dt.date | None] | None = None,
        prev_dest: str | None = None) -> dict:
    """One classification row: an episode in a spell, with its previous episode."""
    def seconds(text: str | None) -> float:
        if text is None:
            return np.nan
        hours, minutes = text.split(":")
        return int(hours) * 3600 + int(minutes) * 60

    p_code, p_start, p_end = previous if previous else (None, None, None)
    return {
        "code": code, "start_date": start, "start_time": seconds(start_time), "end_date": end,
        "adm_date": adm, "adm_time": seconds(adm_time), "method": method,
        "prev_dest": prev_dest, "p_code": p_code, "p_start": p_start, "p_end": p_end,
        "cto_id": None, "cto_start": None, "cto_end": None, "cto_reason": None,
    }


def categories(bench, rows: list[dict]) -> list[str]:
    frame = pd.DataFrame(rows)
    for column in ("start_date", "end_date", "adm_date", "p_start", "p_end", "cto_start",
                   "cto_end"):
        frame[column] = pd.to_datetime(frame[column])
    frame["p_code"] = frame["p_code"].astype(object)
    return list(bench.categorise(frame))


def d(day: int, month: int = 5) -> dt.date:
    return dt.date(2024, month, day)


WORKED_EXAMPLES = [
    # (sequence in one spell, the row of the later episode, category)
    ("admitted 10:00; s2 09:30 the same day",
     row("02", d(1), start_time="09:30", adm_time="10:00"), "A"),
    ("admitted 10:00; s2 11:00 the same day",
     row("02", d(1), start_time="11:00", adm_time="10:00"), "B"),
    ("admitted (method 2A) 1/5; s2 6/5", row("02", d(6), method="2A"), "A"),
    ("admitted (method 2A) 1/5; s2 7/5", row("02", d(7), method="2A"), "B"),
    ("informal 1/5-9/5; s2 10/5", row("02", d(10), previous=("01", d(1), d(9))), "B"),
    ("s136 1/5-2/5; admitted 2/5; s2 2/5",
     row("02", d(2), adm=d(2), previous=("20", d(1), d(2))), "C"),
    ("s136 1/5 (ended 1/5); s2 2/5", row("02", d(2), previous=("20", d(1), d(1))), "B"),
    ("s4 on the admission day", row("04", d(1)), "F"),
    ("s3 1/5-28/10; s3 28/10", row("03", d(28, 10), previous=("03", d(1), d(28, 10))), "G"),
    ("s2 1/5-20/5; s3 20/5", row("03", d(20), previous=("02", d(1), d(20))), "L"),
    ("s2 1/5-20/5; s3 21/5", row("03", d(21), previous=("02", d(1), d(20))), "B"),
    ("guardianship", row("35", d(1)), "M"),
    ("s37 on the admission day, method 11", row("10", d(1), method="11"), "P"),
    ("s37 on the admission day, method 2B", row("10", d(1), method="2B"), "N"),
    ("s37 dated before an admission with method 11", row("10", d(20, 4), method="11"), "H"),
    ("code 98", row("98", d(1)), "N"),
    ("informal", row("01", d(1)), "-"),
]


@pytest.mark.parametrize(("sequence", "episode", "expected"), WORKED_EXAMPLES,
                         ids=[example[0] for example in WORKED_EXAMPLES])
def test_worked_examples_are_classified_as_documented(bench, sequence, episode, expected):
    assert categories(bench, [episode]) == [expected]


def test_linking_and_previous_episode_in_the_spell(bench):
    """From the warehouse tables: an s136 ending the day before the admission is not linked
    (s2 on the admission day: A); one ending on the admission day is, so the s2 is C."""
    def tables(s136_end: dt.date) -> dict[str, pd.DataFrame]:
        episodes = pd.DataFrame({
            "Person_ID": ["p", "p"], "OrgIDProv": ["X", "X"],
            "UniqMHActEpisodeID": ["e1", "e2"], "LegalStatusCode": ["20", "02"],
            "StartDateMHActLegalStatusClass": pd.to_datetime([d(29, 4), ADMISSION]),
            "StartTimeMHActLegalStatusClass": [None, None],
            "ExpiryDateMHActLegalStatusClass": pd.to_datetime([None, None]),
            "EndDateMHActLegalStatusClass": pd.to_datetime([s136_end, None]),
            "EndTimeMHActLegalStatusClass": [None, None],
        })
        spells = pd.DataFrame({
            "Person_ID": ["p"], "OrgIDProv": ["X"], "UniqHospProvSpellID": ["s1"],
            "StartDateHospProvSpell": pd.to_datetime([ADMISSION]),
            "StartTimeHospProvSpell": [dt.time(10)],
            "DischDateHospProvSpell": pd.to_datetime([None]),
            "DischTimeHospProvSpell": [None], "MethAdmMHHospProvSpell": ["21"],
            "DestOfDischHospProvSpell": [None],
        })
        ctos = pd.DataFrame({c: pd.Series(dtype=object) for c in mha.INPUT_COLUMNS[
            "MHS404CommTreatOrder"]})
        for column in ("StartDateCommTreatOrd", "EndDateCommTreatOrd"):
            ctos[column] = pd.to_datetime(ctos[column])
        return {"MHS401MHActPeriod": episodes, "MHS501HospProvSpell": spells,
                "MHS404CommTreatOrder": ctos}

    for s136_end, expected in ((d(30, 4), "A"), (ADMISSION, "C")):
        data = tables(s136_end)
        rows = bench.classify_episodes(lambda table, columns, data=data: data[table][columns])
        s2 = rows[rows["UniqMHActEpisodeID"] == "e2"]
        assert list(s2["category"]) == [expected], f"s136 ending {s136_end}"
