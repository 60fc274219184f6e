"""Fixtures for the web application's tests.

Django is configured here (``pcref.web.settings.test``) rather than in pyproject, so the
rest of the suite does not pay for it. ``DATABASE_URL`` switches the database (the suite
runs a second time on PostgreSQL when one is reachable; see docs/web.md).

Tests that take a ``url_name`` argument are run once for every named URL in the
application's URL configuration, so a new page is tested without anyone remembering to.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcref.web.settings.test")

import django

django.setup()

import pytest  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402

from pcref.web.accounts.roles import ROLES, assign_roles  # noqa: E402

#: Backend for ``Client.force_login`` (the first configured backend is django-axes' guard,
#: which cannot load users).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

#: A password that passes the validators; test users all have it.
PASSWORD = "a-long-test-password-42"

#: Who the authorisation tests act as: nobody, each role, and an account with no role.
ANONYMOUS = "anonymous"
NO_ROLE = "no_role"
PRINCIPALS = (ANONYMOUS, *(role.slug for role in ROLES), NO_ROLE)


def named_url_patterns() -> dict[str, URLPattern]:
    """Every URL pattern in the application by its namespaced name.

    An unnamed pattern is an error: it could not be given an expected access rule.
    """
    found: dict[str, URLPattern] = {}

    def walk(patterns, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or None
                walk(entry.url_patterns, ":".join(filter(None, [namespace, inner])) or None)
            elif isinstance(entry, URLPattern):
                if not entry.name:
                    raise AssertionError(f"URL pattern {entry.pattern} has no name")
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found[name] = entry

    walk(get_resolver().url_patterns, None)
    return found


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "url_name" not in metafunc.fixturenames:
        return
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        if "url_name" in (names.replace(" ", "").split(",") if isinstance(names, str) else names):
            return  # the test chose its own URLs
    metafunc.parametrize("url_name", sorted(named_url_patterns()))


@pytest.fixture(scope="session")
def all_url_names() -> list[str]:
    """Every named URL of the application (see :func:`named_url_patterns`)."""
    return sorted(named_url_patterns())


@pytest.fixture(autouse=True, scope="session")
def _no_database_outside_database_tests(django_db_blocker):
    """pytest-django blocks the database for tests without a ``db`` fixture only when it
    configures Django itself; we configure Django here, so block it here."""
    with django_db_blocker.block():
        yield


def _make_user(username: str, *roles: str, **fields):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)
    assign_roles(user, roles)
    return user


@pytest.fixture
def password() -> str:
    """The password every test account has."""
    return PASSWORD


@pytest.fixture
def make_user(db):
    """``make_user("name", "analyst", ...)``: an active account with the test password and
    exactly the given roles."""
    return _make_user


@pytest.fixture
def users(db) -> dict[str, object]:
    """One account per role (username = role slug) and one with no role (``no_role``)."""
    accounts = {role.slug: _make_user(role.slug, role.slug) for role in ROLES}
    accounts[NO_ROLE] = _make_user(NO_ROLE)
    return accounts


@pytest.fixture
def principals() -> tuple[str, ...]:
    """Everyone the authorisation tests act as: ``anonymous``, each role, ``no_role``."""
    return PRINCIPALS


@pytest.fixture
def client_for(users):
    """``client_for("analyst")``: a test client signed in as that account (or not signed
    in, for ``"anonymous"``); keyword arguments go to :class:`~django.test.Client`."""

    def make(principal: str, **client_options) -> Client:
        client = Client(**client_options)
        if principal != ANONYMOUS:
            client.force_login(users[principal], backend=MODEL_BACKEND)
        return client

    return make


def _rfc6238(key: bytes, at: float, *, step: int = 30, digits: int = 6) -> str:
    counter = int(at // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


@pytest.fixture
def rfc6238():
    """TOTP (RFC 6238, HMAC-SHA1) written from the RFC, not from django-otp:
    ``rfc6238(key_bytes, unix_time, step=30, digits=6)``."""
    return _rfc6238


@pytest.fixture
def totp_code():
    """``totp_code(device, steps_ahead=0)``: the code an authenticator app would show now."""

    def code(device, steps_ahead: int = 0) -> str:
        return _rfc6238(device.bin_key, time.time() + steps_ahead * device.step)

    return code


# --- results in the app: a real results run, computed on a small synthetic warehouse --------
# Made once per session by the demo's own steps (pcref.web.demo.prepare_results: synthesise,
# ingest with the demo key, compute), so the loader is tested on exactly what pcref compute
# writes. Reuse it wherever a page needs real figures: ``results_run_folder`` is the folder,
# ``loaded_results_run`` the run loaded into the test database (current).

#: The metrics computed: a population rate, a proportion, data quality (three statistics) and
#: a median, for two periods. About 1,400 results rows per disclosure policy.
RESULTS_RUN_METRICS = (
    "access_people_in_contact",
    "access_referral_via_police",
    "dq_ethnicity_recorded",
    "dementia_wait_median_days",
)
RESULTS_RUN_PERIODS = ("2023-24", "2024-25")
RESULTS_RUN_PEOPLE = 3000


@pytest.fixture(scope="session")
def results_run_options() -> dict:
    """How ``results_run_folder`` was made: ``prepare_results`` keyword arguments."""
    return {"people": RESULTS_RUN_PEOPLE, "periods": RESULTS_RUN_PERIODS,
            "metrics": RESULTS_RUN_METRICS}


@pytest.fixture(scope="session")
def results_run_folder(tmp_path_factory, results_run_options):
    """A results run folder (run.json, results.parquet, public/results.parquet) made by
    pcref compute from a synthetic extract of 3,000 people; the extract and warehouse are
    beside it (``.parent``). Do not change its files: copy it (``shutil.copytree``) to make
    a broken one."""
    from rich.console import Console

    from pcref.web.demo import prepare_results

    quiet = Console(quiet=True)
    return prepare_results(tmp_path_factory.mktemp("results-run"), **results_run_options,
                           console=quiet, err=quiet)


@pytest.fixture
def loaded_results_run(db, results_run_folder):
    """``results_run_folder`` loaded with ``pcref load``'s loader: the current run."""
    from pcref.web.dashboard.loading import load_run

    return load_run(results_run_folder).run


@pytest.fixture(scope="session")
def second_results_run_folder(results_run_folder, tmp_path_factory):
    """A run of the same warehouse for 2024-25 only and two metrics: a different run id."""
    from rich.console import Console

    from pcref.metrics.command import run_compute

    out = tmp_path_factory.mktemp("second-run") / "results"
    quiet = Console(quiet=True)
    code = run_compute(results_run_folder.parent / "warehouse.duckdb", "2024-25", out,
                       "access_people_in_contact,dq_ethnicity_recorded", "duckdb",
                       console=quiet, err=quiet)
    assert code == 0, "pcref compute failed on the test warehouse"
    return out


# --- feedback: the public form's translations, compiled as the web build will -----------------


@pytest.fixture(autouse=True, scope="session")
def _feedback_translations_compiled():
    """Compile the feedback form's .po files to .mo once per run (until scripts/web-build
    does it), so pages in Polish and Punjabi render translated."""
    from pcref.web.feedback.i18n_build import compile_all

    compile_all()


# --- dashboard: a small hand-made results run (gaps and metric pages) -------------------------
# Two metrics under both disclosure policies, with figures chosen so the expected ranking,
# sentences, withheld cells and SPC signals can be worked out by hand (tests/web/dashboard/).

#: Monthly values of the sample rate: 12 months alternating 10 and 11, then 20. Worked by
#: hand: the jump of 9 is screened out of the mean moving range (9 ≥ 3.267 × 20/12), which
#: is then 1, so the limits are 146/13 ± 2.66; all 12 earlier points lie below the mean
#: (a shift) and 20 lies above the upper limit.
SAMPLE_MONTHS = [10.0, 11.0] * 6 + [20.0]


def _sample_figure(run, metric, policy, **fields):
    from pcref.web.dashboard.models import Figure

    defaults = {
        "period": "2024-25", "breakdown": "ethnicity_5", "subgroup": None,
        "statistic": "crude rate", "unit": metric.unit, "suppressed": False,
        "status": "rounded", "method": "Byars",
    }
    row = {**defaults, **fields}
    if row.get("display_value") is None:
        row["display_value"] = "" if row.get("value") is None else f"{row['value']:.1f}"
    return Figure(run=run, metric=metric, disclosure_policy=policy, **row)


def build_sample_results_run(run_id: str = "sample-run-1", *, current: bool = True):
    """A results run with a rate (section 136 detentions) and a proportion (police
    referrals), each with ethnic groups, months and (the proportion) teams."""
    import datetime as dt

    from pcref.web.dashboard.models import Figure, Metric, ResultsRun

    run = ResultsRun.objects.create(
        run_id=run_id, created_at=dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC),
        periods=["2023-24", "2024-25"], code_version="pcref 0.1.0 (test)",
        input_fingerprint="test", metadata={"run_id": run_id}, is_current=current,
        source_path="/tmp/sample",
    )
    s136 = Metric.objects.create(
        run=run, metric_id="mha_s136", title="Uses of section 136 of the Mental Health Act",
        description="Uses of section 136 per 100,000 usual residents.",
        family="Mental Health Act", unit="per 100,000 population", method="rate",
        breakdowns=["total", "ethnicity_5", "month"], reference_group={"ethnicity_5": "White"},
        improvement_direction="decrease", sentence="were detained by the police under section 136",
        source="NHS England, Mental Health Act Statistics.", sql="SELECT 1 AS detention -- s136",
    )
    police = Metric.objects.create(
        run=run, metric_id="access_referral_via_police", title="Referrals from the police",
        description="Referrals whose source was the police.", family="Access", unit="%",
        method="proportion", breakdowns=["total", "ethnicity_5", "team"],
        reference_group={"ethnicity_5": "White"}, improvement_direction="decrease",
        sentence="were referred by the police", source="MHSDS referrals.",
        sql="SELECT 2 AS referral -- police",
    )
    rows = []
    for policy in ("nhse", "public"):
        def rate(group, value, numerator, ratio=None, lo=None, hi=None, significance=None,
                 period="2024-25", policy=policy, **extra):
            return _sample_figure(
                run, s136, policy, period=period, group=group, numerator=numerator,
                denominator=100000.0, value=value, lower=value * 0.8, upper=value * 1.25,
                comparator="White", ratio=ratio, ratio_lower=lo, ratio_upper=hi,
                significance=significance, **extra,
            )

        rows += [
            rate("White", 30.1, 500, 1.0, None, None, "reference group"),
            rate("Black or Black British", 90.3, 90, 3.0, 2.5, 3.6, "higher than White"),
            rate("Asian or Asian British", 36.1, 36, 1.2, 0.9, 1.6,
                 "no clear difference from White"),
            rate("Other Ethnic Groups", 15.0, 15, 0.5, 0.3, 0.8, "lower than White"),
            rate("White", 31.0, 510, 1.0, None, None, "reference group", period="2023-24"),
            rate("Black or Black British", 62.0, 60, 2.0, 1.5, 2.6, "higher than White",
                 period="2023-24"),
        ]
        if policy == "nhse":
            rows.append(rate("Mixed", 66.2, 5, 2.2, 1.1, 4.4, "higher than White"))
        else:
            rows.append(_sample_figure(
                run, s136, policy, group="Mixed", numerator=None, denominator=100000.0,
                value=None, lower=None, upper=None, comparator="White", suppressed=True,
                status="suppressed_small_count", display_value="*",
            ))
        rows.append(_sample_figure(  # no population for "Not known": a count, no rate
            run, s136, policy, group="Not known", numerator=40, denominator=None, value=None,
            lower=None, upper=None, status="rounded; no_population_denominator",
        ))
        for i, value in enumerate(SAMPLE_MONTHS):
            year, month = (2023, 4 + i) if i < 9 else (2024, i - 8)
            rows.append(_sample_figure(
                run, s136, policy, period="2023-24" if i < 12 else "2024-25",
                breakdown="month", group=f"{year}-{month:02d}", numerator=int(value * 10),
                denominator=1000000.0, value=value, lower=value - 1, upper=value + 1,
            ))

        def share(group, numerator, denominator, breakdown="ethnicity_5", policy=policy,
                  **extra):
            value = 100 * numerator / denominator
            return _sample_figure(
                run, police, policy, statistic="proportion", breakdown=breakdown, group=group,
                numerator=numerator, denominator=float(denominator), value=value,
                lower=value - 1, upper=value + 1, method="Wilson", **extra,
            )

        rows += [
            share("White", 100, 2000, comparator="White", ratio=1.0,
                  significance="reference group"),
            share("Black or Black British", 30, 400, comparator="White", ratio=1.5,
                  ratio_lower=1.2, ratio_upper=1.9, significance="higher than White"),
        ]
        for team, (numerator, denominator) in {
            "Ashford Community Mental Health Team": (20, 400),
            "Canterbury Community Mental Health Team": (25, 500),
            "Crisis Resolution and Home Treatment Team": (200, 1000),
            "Dover Community Mental Health Team": (15, 300),
            "Liaison Psychiatry Service": (40, 800),
        }.items():
            rows.append(share(team, numerator, denominator, breakdown="team"))
    Figure.objects.bulk_create(rows)
    return run


@pytest.fixture
def sample_results_run(db):
    """A small current results run (see :func:`build_sample_results_run`)."""
    return build_sample_results_run()


@pytest.fixture
def make_sample_results_run(db):
    """:func:`build_sample_results_run`, for tests that need more than one run."""
    return build_sample_results_run


# --- team profiles and data quality: a run of a hand-made warehouse ---------------------------
# Two teams whose caseloads are worked out by hand (tests/web/test_team_pages.py):
# Alpha team: 53 people, religion Christian 30, Muslim 3, No religion 20; all White British,
#   English, no interpreter needed.
# Beta team: 50 people, Christian 25, Muslim 10, No religion 15; the first 30 White British,
#   the last 20 with no ethnic category recorded; 5 of them prefer Polish and need an
#   interpreter, the rest English and no interpreter.
# Contacts alternate between May (Q1) and October (Q3) 2024.
TEAM_RUN_METRICS = ("team_caseload", "dq_ethnicity_recorded", "dq_religion_recorded")
TEAM_PLAN = {"T1": {"C": 30, "G": 3, "L": 20}, "T2": {"C": 25, "G": 10, "L": 15}}


def build_team_warehouse(path) -> None:
    """A DuckDB warehouse of every contract table holding the two teams above."""
    import duckdb
    import pandas as pd

    from pcref.contract import load_contract

    contract = load_contract()
    people, contacts, religion = [], [], []
    for team, groups in TEAM_PLAN.items():
        number = 0
        for code, count in groups.items():
            for _ in range(count):
                pid = f"{team}-{number}"
                polish = team == "T2" and number < 5
                people.append({
                    "Person_ID": pid, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40,
                    "EthnicCategory": None if team == "T2" and number >= 30 else "A",
                    "LanguageCodePreferred": "pl" if polish else "en",
                    "InterpreterRequired": "Y" if polish else "N",
                })
                contacts.append({
                    "UniqCareContID": f"C-{pid}", "UniqServReqID": "R1", "Person_ID": pid,
                    "UniqCareProfTeamID": team, "AttendOrDNACode": "5",
                    "CareContDate": "2024-05-01" if number % 2 else "2024-10-01",
                })
                religion.append({"Person_ID": pid, "ReligiousAffiliationGroup": code,
                                 "SocPerCircumstanceRecDate": "2023-01-01"})
                number += 1
    rows = {
        "team": [{"UniqCareProfTeamID": "T1", "TeamName": "Alpha team"},
                 {"UniqCareProfTeamID": "T2", "TeamName": "Beta team"}],
        "MHS001MPI": people, "MHS201CareContact": contacts,
        "MHS011SocPerCircumstances": religion,
    }
    con = duckdb.connect(str(path))
    try:
        for table in contract.tables.values():
            columns = table.warehouse_columns
            con.execute(f'CREATE TABLE "{table.name}" ('
                        + ", ".join(f'"{c}" {t}' for c, t in columns.items()) + ")")
            if table.name not in rows:
                continue
            frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows[table.name]],
                                 dtype=object)
            con.register("rows_to_insert", frame)
            select = ", ".join(f'CAST("{c}" AS {t})' for c, t in columns.items())
            con.execute(f'INSERT INTO "{table.name}" SELECT {select} FROM rows_to_insert')
            con.unregister("rows_to_insert")
    finally:
        con.close()


@pytest.fixture(scope="session")
def team_results_run_folder(tmp_path_factory):
    """A results run of :func:`build_team_warehouse` for 2024-25 (team_caseload and two
    recording-quality metrics), as ``pcref compute`` writes it."""
    from pcref.metrics import engine
    from pcref.metrics.periods import parse_periods

    folder = tmp_path_factory.mktemp("team-run")
    build_team_warehouse(folder / "warehouse.duckdb")
    computed = engine.run(folder / "warehouse.duckdb", parse_periods("2024-25"),
                          folder / "results", list(TEAM_RUN_METRICS))
    assert not computed.failed, computed.record["metrics"]
    return folder / "results"


@pytest.fixture
def team_results_run(db, team_results_run_folder):
    """:func:`team_results_run_folder` loaded with ``pcref load``'s loader: the current run."""
    from pcref.web.dashboard.loading import load_run

    return load_run(team_results_run_folder).run


# --- publication: the sample run with section 136 by ethnic group and month ------------------
# For the board report's SPC charts (tests/web/publication/, tests/web/system/). White takes
# SAMPLE_MONTHS (April 2023 to April 2024; worked by hand above: the last month is above the
# upper limit, and lower is better, so its icon is special cause of concern, high). Black or
# Black British alternates 30 and 32 and ends on 31: common cause (no run of 7, no point
# beyond the limits 31 ± 5.3 or near them); under the public policy its August is withheld,
# so no chart can be drawn for it there.
SAMPLE_BLACK_MONTHS = [30.0, 32.0] * 6 + [31.0]


@pytest.fixture
def sample_results_run_by_month(sample_results_run):
    """:func:`build_sample_results_run` plus ``ethnicity_5 x month`` rows of mha_s136."""
    from pcref.web.dashboard.models import Figure

    s136 = sample_results_run.metrics.get(metric_id="mha_s136")
    rows = []
    for policy in ("nhse", "public"):
        for group, values in (("White", SAMPLE_MONTHS),
                              ("Black or Black British", SAMPLE_BLACK_MONTHS)):
            for i, value in enumerate(values):
                year, month = (2023, 4 + i) if i < 9 else (2024, i - 8)
                withheld = policy == "public" and group != "White" and month == 8
                rows.append(_sample_figure(
                    sample_results_run, s136, policy,
                    period="2023-24" if i < 12 else "2024-25",
                    breakdown="ethnicity_5 x month", group=group,
                    subgroup=f"{year}-{month:02d}",
                    numerator=None if withheld else int(value * 10),
                    denominator=1000000.0, value=None if withheld else value,
                    lower=None if withheld else value - 1,
                    upper=None if withheld else value + 1,
                    suppressed=withheld, display_value="*" if withheld else None,
                ))
    Figure.objects.bulk_create(rows)
    return sample_results_run


# --- public forms: a clean cache for the hourly limit, and nothing kept about a connection ---
# Shared by the feedback and engagement tests (pcref.web.core.rate_limit keeps its counts in
# the cache; no table may keep the connection's address or browser).


@pytest.fixture
def empty_cache():
    """The cache emptied before and after the test, so no hourly count carries over."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def where_stored(db):
    """``where_stored("203.0.113.77", ...)``: every ``table.column`` holding any of the texts
    in any row of any table (binary values read as Latin-1)."""
    from django.db import connection

    def find(*texts: str) -> list[str]:
        found = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                description = connection.introspection.get_table_description(cursor, table)
                columns = [column.name for column in description]
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                for row in cursor.fetchall():
                    for column, value in zip(columns, row, strict=True):
                        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                        if any(wanted in text for wanted in texts):
                            found.append(f"{table}.{column}")
        return found

    return find


@pytest.fixture
def connection_columns(db):
    """``connection_columns("feedback_", allowed={"postal_address"})``: columns of the tables
    whose names start so that look made to keep a connection's address or browser (ip, addr,
    agent, host, remote), less the ``allowed`` ones (a member's postal address is not one)."""
    import re

    from django.db import connection

    def find(prefix: str, allowed: frozenset[str] | set[str] = frozenset()) -> list[str]:
        with connection.cursor() as cursor:
            return [
                f"{table}.{column.name}"
                for table in connection.introspection.table_names(cursor)
                if table.startswith(prefix)
                for column in connection.introspection.get_table_description(cursor, table)
                if re.search(r"(^|_)ip(_|$)|addr|agent|host|remote", column.name)
                and column.name not in allowed
            ]

    return find
