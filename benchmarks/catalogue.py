"""Benchmark the metric catalogue: `pcref compute` against a scan bound and a pandas version.

    uv run python benchmarks/catalogue.py --scale trust|national [--workdir DIR]
                                          [--period 2024-25] [--seed 1]

Design goals (DESIGN.md section 11, on a 2-core machine):

* the full catalogue at trust scale in under 5 s;
* the full catalogue at national scale in under 120 s, at most 3 x one DuckDB scan of the
  columns it reads, and at least 20 x faster than a straightforward pandas version.

The script makes a synthetic extract and warehouse at the requested scale (``pcref synth
--seed SEED`` then ``pcref ingest --demo``), or reuses the ones already in ``--workdir``, and
then measures, each step in a subprocess of its own so that peak memory is the step's own
(wall time, and the kernel's accounting of the process: user + system CPU seconds and peak
resident set size, from ``getrusage``):

1. **the catalogue**: ``pcref compute`` for every metric for one period — wall time, CPU time,
   peak memory, and per-metric seconds from ``run.json`` (``compute_seconds``: SQL and
   statistics; ``disclosure_seconds``: both disclosure-control policies);
2. **the scan bound**: one DuckDB query over every column the catalogue reads and nothing
   else. The columns are found by parsing the catalogue SQL, the preparation SQL the metrics
   require and the engine's own SQL (person attributes, population cells, prevalence, team and
   ward names) with SQLGlot: every column reference is resolved through its query scope to the
   warehouse table it comes from. Per table the query computes ``count(*)`` and
   ``sum(hash(col1, col2, ...))``, so every value of every column is read and touched once; the
   per-table aggregates are one ``UNION ALL`` query, which DuckDB runs in parallel. The query is
   run three times; the best time is the bound (the first run also loads the file's pages);
3. **pandas**: a straightforward pandas implementation of three headline metrics — detentions
   under the Mental Health Act, directly standardised by ethnic group; restrictive interventions
   per 1,000 occupied bed days by ethnic group; the median wait from memory-service referral to
   dementia diagnosis by ethnic group — reading the columns it needs from the warehouse into
   DataFrames, then merging, sorting and grouping the way an analyst would. Its figures are
   checked against the engine's (see "Agreement" in the output);
4. **the engine on the same three metrics** (``pcref compute --metrics ...``), for the ratio.

The pandas detention classification is NHS England's (``src/pcref/metrics/prep/mha_episodes.sql``,
docs/mha-detention-classification.md) with every rule (A to P, in order: P is reached only when
E to M do not apply, so all are needed) applied vectorised with ``numpy.select``, and these
simplifications, which change a handful of episodes but not the cost:

* ties: the previous episode in a spell, and the previous spell of a person, is the row
  immediately before in sort order (``groupby().shift()``); the SQL gives one row per tied
  episode or spell;
* a revoked CTO is attached whole, the previous episode's before the episode's own, and at
  most one per row; the SQL chooses field by field and keeps one row per attached CTO;
* episodes with no linked hospital spell are dropped at the join, since they cannot be
  detentions (the SQL keeps them, unclassifiable as detentions, for categories E and M).

The pandas version computes the headline figures only (each ethnic group's value and, for
the rates, its 95% interval); the engine computes every breakdown and cross the catalogue
lists, the comparisons with the reference group and two disclosure-control policies. So the
ratio flatters pandas.

Nothing is timed in the test suite (DESIGN.md: benchmarks, not timed tests). Run on a quiet
machine: the figures are wall-clock times.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: The three metrics of the pandas comparison (catalogue ids).
HEADLINE_METRICS = ("mha_detentions", "ri_per_1000_bed_days", "dementia_wait_median_days")
#: DESIGN.md section 11.
TRUST_GOAL_SECONDS = 5.0
NATIONAL_GOAL_SECONDS = 120.0
SCAN_BOUND_GOAL = 3.0
PANDAS_GOAL = 20.0
SCAN_REPEATS = 3


# -- measuring a subprocess ------------------------------------------------------------------


@dataclass
class Measured:
    """One subprocess: wall seconds, CPU seconds (user + system) and peak resident bytes."""

    wall: float
    cpu: float
    peak_bytes: int
    stdout: str = ""

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


def measured(command: list[str], *, capture: bool = False) -> Measured:
    """Run ``command`` and measure it alone.

    ``RUSAGE_CHILDREN`` of this process would mix every step run so far (CPU time adds up,
    peak memory is the largest of all), so each step runs under a small Python parent whose
    only child it is; the parent reports the child's wall time and rusage as JSON. Exits with
    the command's error output if it fails. ``stdout`` is kept when ``capture`` is set.
    """
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE,"
        " text=True)\n"
        "wall = time.perf_counter() - started\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'returncode': done.returncode, 'wall': wall,"
        " 'cpu': usage.ru_utime + usage.ru_stime, 'maxrss': usage.ru_maxrss,"
        " 'stdout': done.stdout, 'stderr': done.stderr}))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"could not run {' '.join(command)}:\n{done.stderr}")
    report = json.loads(done.stdout)
    if report["returncode"] != 0:
        raise SystemExit(
            f"{' '.join(command)} failed (exit {report['returncode']}):\n{report['stderr']}"
        )
    unit = 1 if platform.system() == "Darwin" else 1024  # ru_maxrss: bytes on macOS, KiB else
    return Measured(wall=report["wall"], cpu=report["cpu"], peak_bytes=report["maxrss"] * unit,
                    stdout=report["stdout"] if capture else "")


def pcref_command(*arguments: str) -> list[str]:
    """The ``pcref`` console script of this environment (not a wrapper such as ``uv run``,
    whose own start-up would be timed too)."""
    script = Path(sys.executable).with_name("pcref")
    if script.exists():
        return [str(script), *arguments]
    found = shutil.which("pcref")
    if found:
        return [found, *arguments]
    return [sys.executable, "-c", "from pcref.cli import app; app()", *arguments]


def own_step(step: str, *arguments: str) -> list[str]:
    """This script run as one internal step (``--step``) in a subprocess."""
    return [sys.executable, str(Path(__file__).resolve()), "--step", step, *arguments]


# -- the warehouse ---------------------------------------------------------------------------


def prepare_warehouse(scale: str, seed: int, workdir: Path) -> Path:
    """The warehouse for ``scale`` in ``workdir``: reused if there, else synthesised and
    ingested (both timed and reported)."""
    folder = workdir / scale
    extract, warehouse = folder / "extract", folder / "warehouse.duckdb"
    if warehouse.exists():
        print(f"warehouse: reusing {warehouse}")
        return warehouse
    folder.mkdir(parents=True, exist_ok=True)
    if not (extract / "truth.json").exists():
        if extract.exists():
            shutil.rmtree(extract)
        step = measured(pcref_command("synth", "--scale", scale, "--seed", str(seed),
                                      "--out", str(extract)))
        print(f"synthesised the {scale}-scale extract (seed {seed}) in {step.wall:.1f} s, "
              f"peak {step.peak_mib:,.0f} MiB")
    step = measured(pcref_command("ingest", str(extract), "--warehouse", str(warehouse),
                                  "--demo"))
    print(f"ingested it in {step.wall:.1f} s, peak {step.peak_mib:,.0f} MiB")
    return warehouse


# -- the columns the catalogue reads ----------------------------------------------------------


def engine_sql() -> list[str]:
    """The engine's own SQL that reads warehouse tables (person attributes, population cells,
    split areas, prevalence, team and ward names)."""
    from pcref.metrics import aggregate, attributes, population

    return [
        attributes.person_attributes_sql(),
        "SELECT DISTINCT Locality FROM lsoa_lookup WHERE Locality IS NOT NULL",
        population.population_cells_sql(None),
        population.SPLIT_AREAS_SQL,
        population.PREVALENCE_SQL,
        aggregate.counts_sql([("team",), ("ward",)], has_denominator=False, median=False,
                             team_lookup=True, ward_lookup=True),
    ]


def catalogue_sql(metric_ids: tuple[str, ...] | None = None) -> list[tuple[str, str, str]]:
    """(name, SQL, the preparation relation it defines or "") for every catalogue metric (or
    those named), every preparation relation they require — each before what reads it — and
    the engine's own queries."""
    from pcref.metrics import prepare
    from pcref.metrics.catalogue import load_catalogue

    out: dict[str, tuple[str, str, str]] = {}
    for metric in load_catalogue().values():
        if metric_ids and metric.id not in metric_ids:
            continue
        for relation in metric.requires:
            for name in prepare.build_order(relation):
                out.setdefault(f"prep/{name}", (f"prep/{name}", prepare.sql_text(name), name))
        out[f"catalogue/{metric.id}"] = (f"catalogue/{metric.id}", metric.sql, "")
    for number, sql in enumerate(engine_sql(), start=1):
        out[f"engine/{number}"] = (f"engine/{number}", sql, "")
    return list(out.values())


def warehouse_schema(warehouse: Path) -> dict[str, dict[str, str]]:
    """Table -> column -> DuckDB type, for every table of the warehouse."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
        ).fetchall()
    schema: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        schema.setdefault(table, {})[column] = data_type
    return schema


def columns_read(
    sql: str, schema: dict[str, dict[str, str]], tables: dict[str, str]
) -> tuple[dict[str, set[str]], list[str]]:
    """The warehouse columns ``sql`` reads (table -> columns, named as in the warehouse) and
    the names of the columns it returns (lower-cased, as SQLGlot normalises them).

    ``schema`` holds the warehouse tables and the preparation relations already parsed (their
    output columns); ``tables`` maps the lower-cased names of the warehouse tables alone to
    their names. SQLGlot qualifies every column with its source and expands stars from the
    schema; pushing projections down then drops what no outer query uses (``SELECT s.*`` in a
    CTE of which three columns are used reads three columns). A column counts when, in some
    query scope, it comes straight from a warehouse table.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.optimizer.pushdown_projections import pushdown_projections
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.optimizer.scope import traverse_scope

    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = qualify(tree, schema=schema, dialect="duckdb", validate_qualify_columns=False)
    outputs = list(tree.named_selects)
    # A star over a relation not in the schema (one of the engine's own temporary relations)
    # stops the pruning; stars over warehouse tables were expanded and then count in full.
    with contextlib.suppress(sqlglot.errors.OptimizeError):
        tree = pushdown_projections(tree)
    column_names = {t.lower(): {c.lower(): c for c in cols} for t, cols in schema.items()}
    read: dict[str, set[str]] = {}
    for scope in traverse_scope(tree):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if not isinstance(source, exp.Table):
                continue
            table = tables.get(source.name.lower())
            if table is None:  # a preparation relation, or one of the engine's own
                continue
            name = column_names[table.lower()].get(column.name.lower())
            if name is not None:
                read.setdefault(table, set()).add(name)
    return read, outputs


def catalogue_columns(warehouse: Path) -> dict[str, list[str]]:
    """Warehouse table -> every column the catalogue (and the engine) reads from it."""
    schema = warehouse_schema(warehouse)
    tables = {name.lower(): name for name in schema}
    relations = dict(schema)
    found: dict[str, set[str]] = {}
    for name, sql, relation in catalogue_sql():
        try:
            read, outputs = columns_read(sql, relations, tables)
        except Exception as error:  # SQLGlot's errors have many types
            raise SystemExit(
                f"cannot parse {name} to find the columns it reads: {error}") from None
        if relation:
            relations[relation] = dict.fromkeys(outputs, "UNKNOWN")
        for table, columns in read.items():
            found.setdefault(table, set()).update(columns)
    order = {table: list(columns) for table, columns in schema.items()}
    return {table: sorted(found[table], key=order[table].index) for table in sorted(found)}


def scan_sql(columns: dict[str, list[str]]) -> str:
    """One query reading every listed column of every listed table exactly once."""
    parts = [
        f"SELECT '{table}' AS table_name, COUNT(*) AS row_count, "
        f"SUM(HASH({', '.join(cols)})) AS checksum FROM {table}"
        for table, cols in columns.items()
    ]
    return "\nUNION ALL\n".join(parts)


def scan_step(warehouse: Path) -> dict:
    """In a subprocess: time the scan query ``SCAN_REPEATS`` times."""
    import duckdb

    columns = catalogue_columns(warehouse)
    sql = scan_sql(columns)
    times = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for _ in range(SCAN_REPEATS):
            started = time.perf_counter()
            rows = con.execute(sql).fetchall()
            times.append(time.perf_counter() - started)
    values = sum(len(columns[table]) * count for table, count, _ in rows)
    return {"seconds": times, "tables": len(columns),
            "columns": sum(len(c) for c in columns.values()),
            "rows": sum(count for _, count, _ in rows), "values": values}


# -- the pandas version ----------------------------------------------------------------------
# Written the way an analyst would: read what is needed into DataFrames, then merge, sort,
# group. Code lists (ethnic categories, census groups) come from pcref's code-list files, as
# an analyst would use the published look-ups.

DETENTION_CATEGORIES = ("A", "B", "C", "D", "P")
AGE_BANDS = ("0-15", "16-17", "18-34", "35-49", "50-64", "65+")
AGE_BREAKS = (0, 16, 18, 35, 50, 65, 200)


def pandas_step(warehouse: Path, period_label: str) -> dict:
    """In a subprocess: the three headline metrics in pandas, timed; their figures. The
    modules are imported before the clock starts (the wall time of the process has them)."""
    import duckdb
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import scipy.stats  # noqa: F401

    import pcref.metrics.attributes  # noqa: F401
    from pcref.metrics.periods import parse_period

    period = parse_period(period_label)
    start, end = pd_timestamp(period.start), pd_timestamp(period.end)
    timings: dict[str, float] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def read(table: str, columns: list[str]):
            return con.execute(f"SELECT {', '.join(columns)} FROM {table}").df()

        started = time.perf_counter()
        people = person_attributes(read)
        timings["people"] = time.perf_counter() - started
        figures = {}
        for name, function in (
            ("mha_detentions", detentions_dsr),
            ("ri_per_1000_bed_days", restrictive_interventions_rate),
            ("dementia_wait_median_days", dementia_wait),
        ):
            started = time.perf_counter()
            result = function(read, people, start, end)
            timings[name] = time.perf_counter() - started
            figures[name] = result.to_dict(orient="records")
    return {"seconds": timings, "figures": figures}


def pd_timestamp(day: dt.date):
    import pandas as pd

    return pd.Timestamp(day)


def to_seconds(times):
    """TIME values (Python ``datetime.time`` objects from DuckDB) as seconds since midnight."""
    import pandas as pd

    return pd.to_timedelta(times.astype("string")).dt.total_seconds()


def person_attributes(read):
    """Per person: five-group ethnicity, NHS England's derived sex, birth date, reported age."""
    import numpy as np

    from pcref.metrics.attributes import ethnic_category_map

    mpi = read("MHS001MPI", ["Person_ID", "EthnicCategory", "Gender", "GenderIDCode",
                             "PersonBirthDate", "AgeRepPeriodEnd"])
    lookup = ethnic_category_map().set_index("code")["ethnicity_5"]
    code = mpi["EthnicCategory"].str.strip()
    rolled = code.where(code.str.len() != 2, code.str[:1]).where(code != "99", code)
    mpi["ethnicity_5"] = code.map(lookup).fillna(rolled.map(lookup)).fillna("Not known")
    gender_id = mpi["GenderIDCode"].str.strip()
    gender = mpi["Gender"].str.strip()
    derived = gender_id.where(gender_id.isin(["1", "2", "3", "4"]),
                              gender.where(gender.isin(["1", "2", "9"])))
    mpi["sex"] = np.select([derived == "1", derived == "2", derived.isin(["3", "4", "9"])],
                           ["Male", "Female", "Other"], "Not known")
    return mpi[["Person_ID", "ethnicity_5", "sex", "PersonBirthDate", "AgeRepPeriodEnd"]]


def age_band_at(frame, date_column: str):
    """NHS England's age band at ``date_column`` (completed years from the birth date, else
    the reported age)."""
    import numpy as np
    import pandas as pd

    when, born = frame[date_column], frame["PersonBirthDate"]
    age = when.dt.year - born.dt.year - (
        (when.dt.month < born.dt.month)
        | ((when.dt.month == born.dt.month) & (when.dt.day < born.dt.day))
    ).astype(int)
    age = age.where(born.notna(), frame["AgeRepPeriodEnd"])
    bands = pd.cut(age, bins=list(AGE_BREAKS), right=False, labels=list(AGE_BANDS))
    return bands.astype(object).where(age.notna() & (age >= 0), np.nan)


def population_cells(read):
    """Usual residents by five-group ethnicity, sex and age band."""
    import pandas as pd

    from pcref.metrics.attributes import census_ethnic_group_map

    population = read("population", ["Census2021EthnicGroup", "Sex", "Age", "Population"])
    groups = census_ethnic_group_map().set_index("code")["ethnicity_5"]
    population["ethnicity_5"] = population["Census2021EthnicGroup"].str.strip().map(groups)
    population["sex"] = population["Sex"].str.strip().map({"1": "Male", "2": "Female"})
    population["age_band"] = pd.cut(population["Age"], bins=list(AGE_BREAKS), right=False,
                                    labels=list(AGE_BANDS)).astype(object)
    return (population.groupby(["ethnicity_5", "sex", "age_band"], as_index=False)
            ["Population"].sum())


def classify_episodes(read):
    """Every legal-status episode linked to a hospital spell, with its NHS England category
    (simplified as the module docstring says)."""
    import numpy as np
    import pandas as pd

    episodes = read("MHS401MHActPeriod", [
        "Person_ID", "OrgIDProv", "UniqMHActEpisodeID", "LegalStatusCode",
        "StartDateMHActLegalStatusClass", "StartTimeMHActLegalStatusClass",
        "ExpiryDateMHActLegalStatusClass", "EndDateMHActLegalStatusClass",
        "EndTimeMHActLegalStatusClass",
    ]).rename(columns={
        "LegalStatusCode": "code", "StartDateMHActLegalStatusClass": "start_date",
        "StartTimeMHActLegalStatusClass": "start_time",
        "ExpiryDateMHActLegalStatusClass": "expiry_date",
        "EndDateMHActLegalStatusClass": "end_date", "EndTimeMHActLegalStatusClass": "end_time",
    })
    spells = read("MHS501HospProvSpell", [
        "Person_ID", "OrgIDProv", "UniqHospProvSpellID", "StartDateHospProvSpell",
        "StartTimeHospProvSpell", "DischDateHospProvSpell", "DischTimeHospProvSpell",
        "MethAdmMHHospProvSpell", "DestOfDischHospProvSpell",
    ]).rename(columns={
        "StartDateHospProvSpell": "adm_date", "StartTimeHospProvSpell": "adm_time",
        "DischDateHospProvSpell": "disch_date", "DischTimeHospProvSpell": "disch_time",
        "MethAdmMHHospProvSpell": "method", "DestOfDischHospProvSpell": "dest",
    })
    ctos = read("MHS404CommTreatOrder", [
        "MHS404UniqID", "Person_ID", "OrgIDProv", "UniqMHActEpisodeID", "StartDateCommTreatOrd",
        "EndDateCommTreatOrd", "CommTreatOrdEndReason",
    ])
    for frame, columns in ((episodes, ["start_time", "end_time"]),
                           (spells, ["adm_time", "disch_time"])):
        for column in columns:
            frame[column] = to_seconds(frame[column])

    # Duplicate episodes: one per person, provider, start date and code.
    episodes = episodes.sort_values(
        ["Person_ID", "OrgIDProv", "start_date", "code", "expiry_date", "end_date",
         "UniqMHActEpisodeID"], ascending=[True, True, True, True, False, False, False],
        na_position="last",
    ).drop_duplicates(["Person_ID", "OrgIDProv", "start_date", "code"])

    # Spells: one per person, provider and dates; the previous spell's discharge destination.
    spells = spells.sort_values("UniqHospProvSpellID", ascending=False).drop_duplicates(
        ["Person_ID", "OrgIDProv", "adm_date", "disch_date"])
    spells["open"] = spells["disch_date"].isna()
    spells = spells.sort_values(["Person_ID", "adm_date", "adm_time", "open", "disch_date",
                                 "disch_time"], na_position="first")
    spells["prev_dest"] = spells.groupby("Person_ID")["dest"].shift(1)

    # Link each episode to the spells at its provider whose dates it overlaps.
    rows = episodes.merge(spells, on=["Person_ID", "OrgIDProv"], how="inner")
    rejected = (
        (rows["adm_date"] > rows["end_date"]) | (rows["adm_date"] > rows["expiry_date"])
        | ((rows["start_date"] == rows["disch_date"]) & (rows["start_time"] > rows["disch_time"]))
        | (rows["disch_date"] < rows["start_date"])
    )
    rows = rows[~rejected]

    # Order within the spell; the previous episode.
    rows = rows.assign(closed=rows["end_date"].notna(), has_end_time=rows["end_time"].notna())
    rows = rows.sort_values(
        ["Person_ID", "UniqHospProvSpellID", "start_date", "start_time", "closed", "end_date",
         "has_end_time", "end_time"], na_position="first",
    )
    previous = rows.groupby(["Person_ID", "UniqHospProvSpellID"])[
        ["UniqMHActEpisodeID", "code", "start_date", "end_date"]].shift(1)
    rows["p_id"] = previous["UniqMHActEpisodeID"]
    rows["p_code"] = previous["code"]
    rows["p_start"] = previous["start_date"]
    rows["p_end"] = previous["end_date"]

    # Revoked CTOs: one version per person, provider and start date; attach the previous
    # episode's (else the episode's own) if it started before admission and was in force.
    ctos["has_end"] = ctos["EndDateCommTreatOrd"].notna()
    ctos = ctos.sort_values(
        ["Person_ID", "OrgIDProv", "StartDateCommTreatOrd", "has_end", "EndDateCommTreatOrd",
         "MHS404UniqID"], ascending=[True, True, True, False, False, False], na_position="last",
    ).drop_duplicates(["Person_ID", "OrgIDProv", "StartDateCommTreatOrd"])
    revoked = ctos.loc[ctos["CommTreatOrdEndReason"] == "02",
                       ["UniqMHActEpisodeID", "MHS404UniqID", "StartDateCommTreatOrd",
                        "EndDateCommTreatOrd", "CommTreatOrdEndReason"]]
    rows = rows.reset_index(drop=True)
    rows["row"] = np.arange(len(rows))
    attached = []
    for key in ("p_id", "UniqMHActEpisodeID"):
        candidates = rows[["row", key, "adm_date"]].merge(
            revoked, left_on=key, right_on="UniqMHActEpisodeID", suffixes=("", "_cto"))
        in_force = (candidates["StartDateCommTreatOrd"] < candidates["adm_date"]) & (
            (candidates["EndDateCommTreatOrd"] > candidates["adm_date"])
            | candidates["EndDateCommTreatOrd"].isna())
        attached.append(candidates[in_force])
    cto = pd.concat(attached).drop_duplicates("row").set_index("row")
    rows = rows.join(cto[["MHS404UniqID", "StartDateCommTreatOrd", "EndDateCommTreatOrd",
                          "CommTreatOrdEndReason"]].rename(columns={
        "MHS404UniqID": "cto_id", "StartDateCommTreatOrd": "cto_start",
        "EndDateCommTreatOrd": "cto_end", "CommTreatOrdEndReason": "cto_reason"}), on="row")
    rows["category"] = categorise(rows)
    return rows


def categorise(r):
    """NHS England's category of each row: the first rule that holds (mha_episodes.sql)."""
    import numpy as np

    day = np.timedelta64(1, "D")
    code, start, adm, p_code = r["code"], r["start_date"], r["adm_date"], r["p_code"]
    p_end, p_start, method = r["p_end"], r["p_start"], r["method"]
    cto_clear = r["cto_id"].isna() | (r["cto_end"] < start - day)
    s2_s3 = code.isin(["02", "03"])
    rules = [
        ("-", code == "01"),
        ("A", s2_s3 & (start == adm)
         & ((r["start_time"] <= r["adm_time"]) | r["adm_time"].isna() | r["start_time"].isna())
         & (p_code.isna() | (p_code == "01") | ((adm - p_end).dt.days > 1))),
        ("A", (code == "02") & (adm >= start - 5 * day) & (adm <= start) & (method == "2A")),
        ("B", s2_s3
         & (((adm == start) & ((r["adm_time"] < r["start_time"]) | r["adm_time"].isna()
                               | r["start_time"].isna())) | (start > adm))
         & (p_code.isna() | (p_end < start)
            | (p_code.isin(["04", "05", "06"]) & ((p_end == start) | (p_end == start - day))))
         & cto_clear),
        ("C", s2_s3 & ((start == p_end) | (start == p_end + day) | (start == p_start))
         & p_code.isin(["19", "20"]) & ((adm == start) | (adm >= p_start) | (start == p_end))),
        ("D", (code.isin(["03", "09", "10", "15", "16"])
               & ((start >= r["cto_end"] - day) | r["cto_end"].isna())
               & (r["cto_reason"] == "02") & ((adm == start) | (adm >= r["cto_start"])))
         | ((code == "03") & (r["cto_reason"] == "02") & (start < adm)
            & (r["cto_end"] >= adm - day) & (r["cto_end"] <= adm + 2 * day))),
        ("E", code.isin(["19", "20"]) & (p_start.isna() | (p_code == "01") | (p_end < start))),
        ("F", ((code.isin(["04", "05", "06"]) & (start == adm))
               | (code.isin(["05", "06"]) & (start >= adm)))
         & (p_code.isna() | (p_end <= start) | (p_code == "01")
            | (p_code.isin(["02", "03"]) & (p_end == start)))),
        ("G", code.isin(["03", "07", "08", "09", "10", "12", "15", "16", "17", "18"])
         & (start > adm) & (code == p_code)
         & (((start >= p_end) & (start <= p_end + day)) | p_end.isna())),
        ("H", code.isin(["02", "03", "07", "08", "09", "10", "12", "13", "14", "15", "16", "17",
                         "18", "31", "32", "34"]) & (adm > start)
         & (method.isin(["81", "2B", "11", "12", "13"])
            | r["prev_dest"].isin(["49", "50", "51", "52", "53", "87"]))),
        ("J", (code == "05") & (start >= adm) & (p_code == "06") & (start >= p_start)
         & (p_end.isna() | (p_end <= r["end_date"]) | r["end_date"].isna())),
        ("K", (code == "10") & (start >= adm) & (p_code == "07")
         & (p_end.isna() | (start == p_end) | (start == p_end + day))),
        ("L", (code == "03") & (start >= adm) & (p_code == "02")
         & (p_end.isna() | (start == p_end) | (start == p_end + day))),
        ("M", code.isin(["35", "36"])),
        ("P", code.isin(["07", "08", "09", "10", "12", "13", "14", "15", "16", "17", "18", "31",
                         "32", "34"]) & (start <= adm)
         & (r["end_date"].isna() | (r["end_date"] >= adm)) & method.isin(["11", "12", "13"])
         & (p_code.isna() | (p_code.isin(["01", "02", "03", "04", "05", "06"])
                             & (p_end.isna() | (p_end <= start))))
         & cto_clear),
    ]
    return np.select([condition.to_numpy(dtype=bool) for _, condition in rules],
                     [category for category, _ in rules], default="N")


def detentions_dsr(read, people, start, end):
    """Detentions per 100,000 by ethnic group: crude, and directly standardised by sex and
    age band to the whole population (NHS England's method)."""
    import numpy as np

    rows = classify_episodes(read)
    rows = rows[(rows["start_date"] >= start) & (rows["start_date"] <= end)]
    earliest = rows.groupby("UniqMHActEpisodeID")["adm_date"].transform("min")
    rows = rows[rows["adm_date"] == earliest]
    detained = rows.loc[rows["category"].isin(DETENTION_CATEGORIES),
                        ["Person_ID", "UniqMHActEpisodeID", "start_date"]].drop_duplicates()
    detained = detained.merge(people, on="Person_ID", how="left")
    detained["ethnicity_5"] = detained["ethnicity_5"].fillna("Not known")
    detained["age_band"] = age_band_at(detained, "start_date")

    population = population_cells(read)
    standard = population.groupby(["sex", "age_band"])["Population"].sum().rename("standard")
    events = detained.groupby(["ethnicity_5", "sex", "age_band"]).size().rename("events")
    strata = population.merge(events.reset_index(), how="left",
                              on=["ethnicity_5", "sex", "age_band"])
    strata["events"] = strata["events"].fillna(0)
    strata = strata.merge(standard.reset_index(), on=["sex", "age_band"])
    strata = strata[strata["Population"] > 0].astype({"Population": float, "standard": float})
    rate = strata["events"] / strata["Population"]
    strata["weighted"] = strata["standard"] * rate
    strata["variance"] = strata["standard"] ** 2 * rate * (1 - rate) / strata["Population"]
    by_group = strata.groupby("ethnicity_5").agg(
        weighted=("weighted", "sum"), variance=("variance", "sum"), weight=("standard", "sum"),
        population=("Population", "sum"), standardised_events=("events", "sum"))
    by_group["events"] = detained.groupby("ethnicity_5").size()
    by_group["events"] = by_group["events"].fillna(0)
    per = 100_000
    by_group["crude_rate"] = by_group["events"] / by_group["population"] * per
    by_group["value"] = by_group["weighted"] / by_group["weight"] * per
    half_width = 1.959964 * np.sqrt(by_group["variance"]) / by_group["weight"] * per
    by_group["lower"] = by_group["value"] - half_width
    by_group["upper"] = by_group["value"] + half_width
    return by_group.reset_index()[["ethnicity_5", "events", "crude_rate", "value", "lower",
                                   "upper"]]


def poisson_limits(counts, confidence: float = 0.95):
    """Exact (Garwood) limits of Poisson counts."""
    import numpy as np
    from scipy import stats

    alpha = 1 - confidence
    lower = np.where(counts > 0, stats.chi2.ppf(alpha / 2, 2 * counts) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * (counts + 1)) / 2
    return lower, upper


def restrictive_interventions_rate(read, people, start, end):
    """Restrictive interventions per 1,000 occupied bed days (midnights) by ethnic group."""
    import pandas as pd

    stays = read("MHS502WardStay", ["Person_ID", "UniqHospProvSpellID", "StartDateWardStay",
                                    "EndDateWardStay"])
    spells = read("MHS501HospProvSpell", ["UniqHospProvSpellID", "DischDateHospProvSpell"])
    stays = stays.merge(spells, on="UniqHospProvSpellID", how="left")
    day_after = end + pd.Timedelta(days=1)
    left_ward = stays["EndDateWardStay"].fillna(stays["DischDateHospProvSpell"]).fillna(day_after)
    first_night = stays["StartDateWardStay"].clip(lower=start)
    stays["bed_days"] = (left_ward.clip(upper=day_after) - first_night).dt.days.clip(lower=0)
    bed_days = stays.groupby("Person_ID")["bed_days"].sum()

    interventions = read("MHS515RestrictiveInterventType",
                         ["Person_ID", "StartDateRestrictiveIntType"])
    in_period = interventions["StartDateRestrictiveIntType"].between(start, end)
    counts = interventions[in_period].groupby("Person_ID").size()

    per_person = pd.DataFrame({"bed_days": bed_days, "interventions": counts}).fillna(0)
    per_person = per_person.rename_axis("Person_ID").reset_index().merge(
        people[["Person_ID", "ethnicity_5"]], on="Person_ID", how="left")
    per_person["ethnicity_5"] = per_person["ethnicity_5"].fillna("Not known")
    by_group = per_person.groupby("ethnicity_5")[["interventions", "bed_days"]].sum()
    by_group = by_group[by_group["bed_days"] > 0]
    lower, upper = poisson_limits(by_group["interventions"].to_numpy())
    per = 1000 / by_group["bed_days"]
    by_group["value"] = by_group["interventions"] * per
    by_group["lower"] = lower * per
    by_group["upper"] = upper * per
    return by_group.reset_index()


def dementia_wait(read, people, start, end):
    """Median days from memory-service referral to first dementia diagnosis, by ethnic group."""
    diagnoses = read("MHS604PrimDiag", ["Person_ID", "UniqServReqID", "DiagSchemeInUse",
                                        "PrimDiag", "CodedDiagDate"])
    dementia = diagnoses[(diagnoses["DiagSchemeInUse"] == "02")
                         & diagnoses["PrimDiag"].str[:3].isin(["F00", "F01", "F02", "F03",
                                                               "G30"])]
    first = dementia.groupby("Person_ID", as_index=False)["CodedDiagDate"].min()
    first = first[first["CodedDiagDate"].between(start, end)]
    on_first = first.merge(dementia, on=["Person_ID", "CodedDiagDate"])

    referrals = read("MHS101Referral", ["UniqServReqID", "ReferralRequestReceivedDate"])
    services = read("MHS102ServiceTypeReferredTo", ["UniqServReqID", "ServTeamTypeRefToMH",
                                                    "UniqCareProfTeamID"])
    memory = services[services["ServTeamTypeRefToMH"].isin(["A15", "A17"])]
    memory = memory.merge(referrals, on="UniqServReqID").groupby(
        ["UniqServReqID", "ReferralRequestReceivedDate"], as_index=False
    )["UniqCareProfTeamID"].min()

    waits = on_first.merge(memory, on="UniqServReqID")
    waits = waits[waits["ReferralRequestReceivedDate"] <= waits["CodedDiagDate"]]
    waits = waits.sort_values(["Person_ID", "ReferralRequestReceivedDate", "UniqServReqID"],
                              ascending=[True, False, True]).drop_duplicates("Person_ID")
    waits["days"] = (waits["CodedDiagDate"] - waits["ReferralRequestReceivedDate"]).dt.days
    waits = waits.merge(people[["Person_ID", "ethnicity_5"]], on="Person_ID", how="left")
    waits["ethnicity_5"] = waits["ethnicity_5"].fillna("Not known")
    by_group = waits.groupby("ethnicity_5")["days"].agg(value="median", people="size")
    return by_group.reset_index()


# -- comparing with the engine ---------------------------------------------------------------

#: The engine's statistic that each pandas figure is, per metric.
ENGINE_STATISTIC = {
    "mha_detentions": "standardised rate",
    "ri_per_1000_bed_days": None,  # the metric's only statistic
    "dementia_wait_median_days": None,
}


def agreement(figures: dict, run_folder: Path) -> dict[str, tuple[int, float, float]]:
    """Per metric: the ethnic groups compared, and the largest relative differences between
    the pandas values and the engine's, and between their 95% limits (internal file; groups
    the engine withholds are skipped). Limits differ slightly by design for rates of 10 or
    more events: the engine uses Byar's approximation, the pandas version exact limits."""
    import pandas as pd

    results = pd.read_parquet(run_folder / "results.parquet")
    out = {}
    for metric, rows in figures.items():
        engine = results[(results["metric_id"] == metric)
                         & (results["breakdown"] == "ethnicity_5")]
        wanted = ENGINE_STATISTIC[metric]
        if wanted:
            engine = engine[engine["statistic"] == wanted]
        engine = engine.dropna(subset=["value"]).set_index("group")
        ours = pd.DataFrame(rows).dropna(subset=["value"]).set_index("ethnicity_5")
        shared = engine.index.intersection(ours.index)
        limits = max(largest_difference(ours, engine, shared, "lower"),
                     largest_difference(ours, engine, shared, "upper"))
        out[metric] = (len(shared), largest_difference(ours, engine, shared, "value"), limits)
    return out


def largest_difference(ours, theirs, groups, column: str) -> float:
    """The largest relative difference of ``column`` over ``groups`` (nan if none)."""
    import numpy as np

    if column not in ours or len(groups) == 0:
        return float("nan")
    expected = theirs.loc[groups, column].to_numpy(dtype=float)
    found = ours.loc[groups, column].to_numpy(dtype=float)
    return float(np.nanmax(np.abs(found - expected) / np.abs(expected)))


# -- the report ------------------------------------------------------------------------------


def per_metric_table(record: dict) -> list[str]:
    lines = [f"  {'metric':<38} {'status':<9} {'compute s':>9} {'disclosure s':>12} "
             f"{'unit rows':>10}"]
    for metric, entry in sorted(record["metrics"].items(),
                                key=lambda kv: -kv[1].get("seconds", 0)):
        units = sum(entry.get("unit_rows", {}).values())
        lines.append(
            f"  {metric:<38} {entry['status']:<9} {entry.get('compute_seconds', 0):>9.2f} "
            f"{entry.get('disclosure_seconds', 0):>12.2f} {units:>10,}"
        )
    compute = sum(e.get("compute_seconds", 0) for e in record["metrics"].values())
    disclosure = sum(e.get("disclosure_seconds", 0) for e in record["metrics"].values())
    lines.append(f"  {'sum':<38} {'':<9} {compute:>9.2f} {disclosure:>12.2f}")
    return lines


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def compute_run(warehouse: Path, period: str, out: Path,
                metrics: tuple[str, ...] | None = None) -> tuple[Measured, dict]:
    if out.exists():
        shutil.rmtree(out)
    arguments = ["compute", "--warehouse", str(warehouse), "--period", period, "--out", str(out)]
    if metrics:
        arguments += ["--metrics", ",".join(metrics)]
    step = measured(pcref_command(*arguments))
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    failed = [m for m, e in record["metrics"].items() if e["status"] == "failed"]
    if failed:
        print(f"warning: metric(s) failed: {', '.join(failed)} (see {out / 'run.json'})")
    return step, record


def benchmark(scale: str, warehouse: Path, period: str, workdir: Path) -> None:
    import duckdb

    print(f"machine: {os.cpu_count()} cores, {platform.platform()}, DuckDB {duckdb.__version__},"
          f" Python {platform.python_version()}; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    folder = warehouse.parent

    # 1. The whole catalogue.
    catalogue, record = compute_run(warehouse, period, folder / "run-catalogue")
    computed = sum(e["status"] == "computed" for e in record["metrics"].values())
    print(f"\n1. pcref compute, whole catalogue ({computed} of {len(record['metrics'])} metrics "
          f"computed), {period}")
    print(f"   code: {record['code_version']}")
    print(f"   wall {catalogue.wall:.1f} s, CPU {catalogue.cpu:.1f} s, "
          f"peak memory {catalogue.peak_mib:,.0f} MiB")
    print("\n".join(per_metric_table(record)))

    # 2. The scan bound.
    step = measured(own_step("scan", "--warehouse", str(warehouse)), capture=True)
    scan = json.loads(step.stdout)
    bound = min(scan["seconds"])
    print(f"\n2. scan bound: one DuckDB query over the {scan['columns']} columns of "
          f"{scan['tables']} tables the catalogue reads ({scan['rows']:,} rows, "
          f"{scan['values']:,} values)")
    print(f"   best of {SCAN_REPEATS}: {bound:.2f} s (runs: "
          f"{', '.join(f'{s:.2f}' for s in scan['seconds'])}); "
          f"process peak memory {step.peak_mib:,.0f} MiB")

    # 3. and 4. pandas against the engine on the three headline metrics.
    engine_three, record_three = compute_run(warehouse, period, folder / "run-headline",
                                             HEADLINE_METRICS)
    step = measured(own_step("pandas", "--warehouse", str(warehouse), "--period", period),
                    capture=True)
    pandas_result = json.loads(step.stdout)
    pandas_work = sum(pandas_result["seconds"].values())
    engine_work = sum(record_three["metrics"][m]["seconds"] for m in HEADLINE_METRICS)
    print(f"\n3. the three headline metrics ({', '.join(HEADLINE_METRICS)})")
    print(f"   {'':<30} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9} {'work s':>8}")
    print(f"   {'pcref compute --metrics':<30} {engine_three.wall:>8.1f} "
          f"{engine_three.cpu:>8.1f} {engine_three.peak_mib:>9,.0f} {engine_work:>8.2f}")
    print(f"   {'pandas':<30} {step.wall:>8.1f} {step.cpu:>8.1f} {step.peak_mib:>9,.0f} "
          f"{pandas_work:>8.2f}")
    print("   work s: the engine's per-metric seconds in run.json (SQL, statistics and "
          "disclosure); pandas' reading and computing (imports excluded). pandas per step: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in pandas_result["seconds"].items()))
    for metric, (groups, value, limits) in agreement(
            pandas_result["figures"], folder / "run-headline").items():
        print(f"   agreement with the engine, {metric}: {groups} ethnic groups, largest "
              f"relative difference {value:.2g} in the value, {limits:.2g} in the limits")
    ratio_wall = step.wall / engine_three.wall
    ratio_work = pandas_work / engine_work if engine_work else float("nan")

    # Goals.
    print("\ngoals (DESIGN.md section 11):")
    if scale == "trust":
        print(f"   full catalogue < {TRUST_GOAL_SECONDS:.0f} s: {catalogue.wall:.1f} s — "
              f"{verdict(catalogue.wall < TRUST_GOAL_SECONDS)}")
    else:
        print(f"   full catalogue < {NATIONAL_GOAL_SECONDS:.0f} s: {catalogue.wall:.1f} s — "
              f"{verdict(catalogue.wall < NATIONAL_GOAL_SECONDS)}")
    scan_ratio = catalogue.wall / bound
    print(f"   full catalogue <= {SCAN_BOUND_GOAL:.0f} x the scan bound: {scan_ratio:.1f} x — "
          f"{verdict(scan_ratio <= SCAN_BOUND_GOAL)}"
          + ("" if scale == "national" else " (the goal is set for national scale)"))
    compute = sum(e.get("compute_seconds", 0) for e in record["metrics"].values())
    print(f"      (the metrics' SQL and statistics alone, without disclosure control and "
          f"start-up: {compute:.1f} s = {compute / bound:.1f} x)")
    print(f"   engine >= {PANDAS_GOAL:.0f} x faster than pandas on the three metrics: "
          f"{ratio_wall:.1f} x by wall time of the commands, {ratio_work:.1f} x by work time "
          f"— {verdict(ratio_wall >= PANDAS_GOAL)}"
          + ("" if scale == "national" else " (the goal is set for national scale)"))
    print(f"\nruns and warehouse in {workdir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("trust", "national"), default="trust")
    parser.add_argument("--workdir", type=Path,
                        help="where the extract, warehouse and runs go, and are reused from "
                             "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--period", default="2024-25", help="financial year (default 2024-25)")
    parser.add_argument("--seed", type=int, default=1, help="pcref synth seed (default 1)")
    parser.add_argument("--step", choices=("scan", "pandas"), help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.step == "scan":
        print(json.dumps(scan_step(options.warehouse)))
        return
    if options.step == "pandas":
        print(json.dumps(pandas_step(options.warehouse, options.period), default=str))
        return

    sys.stdout.reconfigure(line_buffering=True)  # show each figure as soon as it is known
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="pcref-bench-catalogue-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        warehouse = prepare_warehouse(options.scale, options.seed, workdir)
        benchmark(options.scale, warehouse, options.period, workdir)
    finally:
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
