"""The metric engine on a small hand-built warehouse, every figure worked out by hand.

The warehouse (built by ``build_warehouse``) holds:

Population (usual residents), area E06000001 (LSOA E01000001, Medway, IMD decile 3) unless
stated: White British (census 13) 1,000 in each sex × NHS England age band (ages 10, 16, 20,
40, 55, 70); Black African (6) 100 in each; Arab (18) 50 males aged 20; Gypsy or Irish
Traveller (15) 30 females aged 40; and in area E06000002 (LSOA E01000002, Swale, decile 9)
500 White British males aged 20. Total 13,780.

People and their care contacts in 2024-25 (one unit row per contact for the rate metrics):

====== ====== ===================== ============ ========= ====================================
person ethnic sex                   born / age   LSOA      contacts
====== ====== ===================== ============ ========= ====================================
w1     A      Gender 1 (male)       1990-06-15   Medway    2024-04-10, 2024-07-01, 2025-03-31
w2     A      Gender 2 (female)     1980-01-01   Swale     2024-04-01, 2024-12-25
w3     A      Gender X (not known)  1985-01-01   Medway    2024-11-11
b1     N      GenderIDCode 2 (F),   2008-05-01   Medway    2024-04-30 (age 15), 2024-05-01 ×2,
              Gender 1                                     2024-05-02, 2025-01-15 (age 16)
b2     N1     Gender 1 (male)       age 45       none      2024-10-10
z1     Z      Gender 2 (female)     1950-03-01   Medway    2024-06-30
u1     99     Gender X              none         none      2024-08-08
n1     blank  GenderIDCode 3         none         none      2025-02-28
ghost  (no MPI record)                                     2024-09-09
====== ====== ===================== ============ ========= ====================================

plus a contact of w1 on 2024-03-31, before the year.
"""

import datetime as dt
import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from pcref.cli import app
from pcref.contract import load_contract
from pcref.metrics import engine
from pcref.metrics.backend import DuckDBBackend
from pcref.metrics.catalogue import parse_metric
from pcref.metrics.periods import parse_periods

YEAR = parse_periods("2024-25")
Z = 1.959963984540054

# -- the warehouse ---------------------------------------------------------------------------


def _insert(con, table, rows):
    columns = load_contract()[table].warehouse_columns
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], dtype=object)
    con.register("rows_to_insert", frame)
    select = ", ".join(f'CAST("{c}" AS {t})' for c, t in columns.items())
    con.execute(f'INSERT INTO "{table}" SELECT {select} FROM rows_to_insert')
    con.unregister("rows_to_insert")


AGES = (10, 16, 20, 40, 55, 70)
CONTACTS = {
    "w1": ["2024-04-10", "2024-07-01", "2025-03-31", "2024-03-31"],
    "w2": ["2024-04-01", "2024-12-25"],
    "w3": ["2024-11-11"],
    "b1": ["2024-04-30", "2024-05-01", "2024-05-01", "2024-05-02", "2025-01-15"],
    "b2": ["2024-10-10"],
    "z1": ["2024-06-30"],
    "u1": ["2024-08-08"],
    "n1": ["2025-02-28"],
    "ghost": ["2024-09-09"],
}
TEAM_OF = {"w1": "T1", "w2": "T2", "w3": "T1", "b1": "T1", "b2": "T2", "z1": "T1", "u1": "T2",
           "n1": "T1", "ghost": "T2"}


def build_warehouse(con: duckdb.DuckDBPyConnection, *, skip_tables=()) -> None:
    for table in load_contract().tables.values():
        if table.name in skip_tables:
            continue
        columns = ", ".join(f'"{c}" {t}' for c, t in table.warehouse_columns.items())
        con.execute(f'CREATE TABLE "{table.name}" ({columns})')
    mpi = dict(OrgIDProv="RXY")
    _insert(con, "MHS001MPI", [
        {**mpi, "Person_ID": "w1", "EthnicCategory": "A", "Gender": "1",
         "PersonBirthDate": "1990-06-15", "LSOA2021": "E01000001"},
        {**mpi, "Person_ID": "w2", "EthnicCategory": "A", "Gender": "2",
         "PersonBirthDate": "1980-01-01", "LSOA2021": "E01000002"},
        {**mpi, "Person_ID": "w3", "EthnicCategory": "A", "Gender": "X",
         "PersonBirthDate": "1985-01-01", "LSOA2021": "E01000001"},
        {**mpi, "Person_ID": "b1", "EthnicCategory": "N", "Gender": "1", "GenderIDCode": "2",
         "PersonBirthDate": "2008-05-01", "LSOA2021": "E01000001"},
        {**mpi, "Person_ID": "b2", "EthnicCategory": "N1", "Gender": "1", "AgeRepPeriodEnd": 45},
        {**mpi, "Person_ID": "z1", "EthnicCategory": "Z", "Gender": "2",
         "PersonBirthDate": "1950-03-01", "LSOA2021": "E01000001"},
        {**mpi, "Person_ID": "u1", "EthnicCategory": "99", "Gender": "X"},
        {**mpi, "Person_ID": "n1", "GenderIDCode": "3"},
    ])
    _insert(con, "lsoa_lookup", [
        {"LSOA2021": "E01000001", "AreaCode": "E06000001", "AreaName": "Medway",
         "Locality": "Medway", "IMDDecile": 3},
        {"LSOA2021": "E01000002", "AreaCode": "E06000002", "AreaName": "Swale",
         "Locality": "Swale", "IMDDecile": 9},
    ])
    population = []
    for sex in ("1", "2"):
        for age in AGES:
            population.append(("13", sex, age, 1000))
            population.append(("6", sex, age, 100))
    population += [("18", "1", 20, 50), ("15", "2", 40, 30)]
    rows = [{"AreaCode": "E06000001", "Census2021EthnicGroup": g, "Sex": s, "Age": a,
             "Population": n} for g, s, a, n in population]
    rows.append({"AreaCode": "E06000002", "Census2021EthnicGroup": "13", "Sex": "1", "Age": 20,
                 "Population": 500})
    _insert(con, "population", rows)
    contacts = []
    for person, dates in CONTACTS.items():
        for i, date in enumerate(dates):
            contacts.append({
                "UniqCareContID": f"{person}-{i}", "UniqServReqID": f"R-{person}",
                "Person_ID": person, "UniqCareProfTeamID": TEAM_OF[person], "CareContDate": date,
                # the first contact of each person attended, later ones did not
                "AttendOrDNACode": "5" if i == 0 else "7",
            })
    _insert(con, "MHS201CareContact", contacts)
    _insert(con, "team", [
        {"UniqCareProfTeamID": "T1", "TeamName": "Crisis team", "ServTeamTypeRefToMH": "A02",
         "Locality": "Medway"},
        {"UniqCareProfTeamID": "T2", "TeamName": "Assessment team",
         "ServTeamTypeRefToMH": "A02", "Locality": "Swale"},
    ])
    # Referral waits (days from referral to discharge) for the median metric.
    waits = {"w1": list(range(1, 11)), "b1": [20, 22, 24, 26, 28, 30], "w2": [3, 5]}
    referrals = []
    for person, days in waits.items():
        for i, d in enumerate(days):
            start = dt.date(2024, 6, 1)
            referrals.append({"UniqServReqID": f"{person}-wait-{i}", "Person_ID": person,
                              "OrgIDProv": "RXY", "ReferralRequestReceivedDate": start,
                              "ServDischDate": start + dt.timedelta(days=d)})
    _insert(con, "MHS101Referral", referrals)
    # Dementia diagnoses for the expected-cases metric: 14 White British, 3 Black African.
    diagnoses = [("w1", i) for i in range(14)] + [("b1", i) for i in range(3)]
    _insert(con, "MHS604PrimDiag", [
        {"DiagnosisID": f"{p}-{i}", "UniqServReqID": "R", "Person_ID": p, "DiagSchemeInUse": "02",
         "PrimDiag": "F03X", "CodedDiagDate": "2024-09-01"} for p, i in diagnoses
    ])
    _insert(con, "ward", [
        {"WardCode": "W1", "WardName": "Willow", "HospitalBedTypeMH": "10", "Locality": "Medway"},
        {"WardCode": "W2", "WardName": "Oak", "HospitalBedTypeMH": "10", "Locality": "Swale"},
    ])
    _insert(con, "MHS502WardStay", [
        {"UniqWardStayID": ws, "UniqHospProvSpellID": f"S-{ws}", "Person_ID": person,
         "WardCode": ward, "StartDateWardStay": start, "EndDateWardStay": end}
        for ws, person, ward, start, end in (
            ("WS1", "w1", "W1", "2024-05-01", "2024-07-10"),   # 70 nights
            ("WS2", "b1", "W1", "2024-06-01", "2024-06-21"),   # 20 nights
            ("WS3", "w2", "W2", "2024-08-01", "2024-12-09"),   # 130 nights
        )
    ])
    _insert(con, "dementia_prevalence", [
        {"Sex": s, "AgeBand": band, "Prevalence": rate, "Source": "test"}
        for s, rate in (("1", 0.03), ("2", 0.04))
        for band in ("65-69", "70-74", "75-79", "80-84", "85-89", "90+")
    ])


HEADER = """/*
id: {id}
title: {id}
description: test metric
family: Test
unit: {unit}
method: {method}
denominator: {denominator}
improvement_direction: neutral
suppression: counts
{extra}
*/
"""


def metric(id_, sql, *, method="rate", denominator="population", unit="per 100,000", **extra):
    lines = "\n".join(f"{k}: {v}" for k, v in extra.items())
    text = HEADER.format(id=id_, unit=unit, method=method, denominator=denominator,
                         extra=lines) + sql
    return parse_metric(text, f"catalogue/{id_}.sql")


CONTACT_ROWS = """
SELECT Person_ID, CareContDate AS event_date, {n} AS numerator
FROM MHS201CareContact
WHERE CareContDate BETWEEN $period_start AND $period_end
"""

RATE = metric(
    "t_rate", CONTACT_ROWS.format(n=1), multiplier=100000, standardise="true",
    breakdowns="[total, ethnicity_5, ethnicity_16, age_band, sex, locality, month, quarter]",
    cross_breakdowns="[ethnicity_5 x sex, quarter x ethnicity_5]",
    reference_group="{ethnicity_5: White, ethnicity_16: White British}",
)
RATE3 = metric(
    "t_rate3", CONTACT_ROWS.format(n=3), multiplier=100000, standardise="true",
    breakdowns="[total, ethnicity_5]", reference_group="{ethnicity_5: White}",
)
ATTENDED = metric(
    "t_attended", """
SELECT Person_ID, CareContDate AS event_date, UniqCareProfTeamID AS team_id,
       CASE WHEN AttendOrDNACode IN ('5', '6') THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM MHS201CareContact
WHERE CareContDate BETWEEN $period_start AND $period_end
""", method="proportion", denominator="rows", unit='"%"', multiplier=100,
    breakdowns="[total, ethnicity_5, imd_quintile, team]",
    cross_breakdowns="[ethnicity_5 x team]", reference_group="{ethnicity_5: White}",
)
WAIT = metric(
    "t_wait", """
SELECT Person_ID, ReferralRequestReceivedDate AS event_date, 1 AS numerator,
       date_diff('day', ReferralRequestReceivedDate, ServDischDate) AS observation
FROM MHS101Referral
WHERE ReferralRequestReceivedDate BETWEEN $period_start AND $period_end
""", method="median", denominator="none", unit="days",
    breakdowns="[total, ethnicity_5, sex]", reference_group="{ethnicity_5: White}",
)
EXPECTED = metric(
    "t_expected", """
SELECT Person_ID, CodedDiagDate AS event_date, 1 AS numerator
FROM MHS604PrimDiag
WHERE CodedDiagDate BETWEEN $period_start AND $period_end
""", method="ratio_to_expected", denominator="expected", unit="per 100 expected",
    multiplier=100, population_min_age=65, breakdowns="[total, ethnicity_5, sex]",
    reference_group="{ethnicity_5: White}",
)
BED_DAYS = parse_metric(HEADER.format(
    id="t_bed_days", unit="per 1,000 occupied bed days", method="rate_per_denominator",
    denominator="rows", extra="multiplier: 1000\nbreakdowns: [total, ward]",
).replace("suppression: counts", "suppression: bed_days") + """
SELECT Person_ID, StartDateWardStay AS event_date, WardCode AS ward_code,
       CASE UniqWardStayID WHEN 'WS1' THEN 6 WHEN 'WS2' THEN 4 ELSE 9 END AS numerator,
       date_diff('day', StartDateWardStay, EndDateWardStay) AS denominator
FROM MHS502WardStay
WHERE StartDateWardStay BETWEEN $period_start AND $period_end
""", "catalogue/t_bed_days.sql")
CATALOGUE = {m.id: m for m in (RATE, RATE3, ATTENDED, WAIT, EXPECTED, BED_DAYS)}


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    build_warehouse(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def run(con):
    return engine.compute(DuckDBBackend(con), YEAR, catalogue=CATALOGUE)


def rows_of(frame, metric_id, breakdown, statistic=None):
    out = frame[(frame["metric_id"] == metric_id) & (frame["breakdown"] == breakdown)]
    if statistic is not None:
        out = out[out["statistic"] == statistic]
    return out


def by_group(frame, metric_id, breakdown, statistic=None, column="numerator"):
    rows = rows_of(frame, metric_id, breakdown, statistic)
    keys = [g if s is None else (g, s) for g, s in zip(rows["group"], rows["subgroup"],
                                                        strict=True)]
    return dict(zip(keys, rows[column].tolist(), strict=True))


def one(frame, metric_id, breakdown, group, statistic=None, subgroup=None):
    rows = rows_of(frame, metric_id, breakdown, statistic)
    rows = rows[rows["group"] == group]
    rows = rows[rows["subgroup"].isna()] if subgroup is None else rows[
        rows["subgroup"] == subgroup]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# -- counts by breakdown ---------------------------------------------------------------------


def test_every_metric_computes(run):
    assert {m: r["status"] for m, r in run.record["metrics"].items()} == dict.fromkeys(
        CATALOGUE, "computed")


def test_total_counts_the_rows_of_the_period_only(run):
    total = one(run.exact, "t_rate", "total", "Total", "crude rate")
    assert total["numerator"] == 16  # 17 contacts, one before the year
    assert total["denominator"] == 13780


def test_ethnicity_groups_with_not_stated_and_not_known_apart(run):
    five = by_group(run.exact, "t_rate", "ethnicity_5", "crude rate")
    # Other Ethnic Groups has a population (Arab) but no contacts: a row with 0.
    assert five == {"White": 6, "Black or Black British": 6, "Other Ethnic Groups": 0,
                    "Not stated": 1, "Not known": 3}
    assert list(five) == ["White", "Black or Black British", "Other Ethnic Groups",
                          "Not stated", "Not known"]
    sixteen = by_group(run.exact, "t_rate", "ethnicity_16", "crude rate")
    # N1 rolls up to N (Black African); Arab has no 16-group population, so no row.
    assert sixteen == {"White British": 6, "Black African": 6, "Not stated": 1, "Not known": 3}


def test_population_denominators_by_ethnicity(run):
    five = by_group(run.exact, "t_rate", "ethnicity_5", "crude rate", "denominator")
    # Gypsy or Irish Traveller count in White, Arab in Other, neither in the 16 groups.
    assert five["White"] == 12000 + 30 + 500
    assert five["Black or Black British"] == 1200
    assert five["Other Ethnic Groups"] == 50
    assert math.isnan(five["Not stated"]) and math.isnan(five["Not known"])
    sixteen = by_group(run.exact, "t_rate", "ethnicity_16", "crude rate", "denominator")
    assert sixteen["White British"] == 12500 and sixteen["Black African"] == 1200


def test_unknown_groups_keep_their_count_but_have_no_rate(run):
    row = one(run.exact, "t_rate", "ethnicity_5", "Not stated", "crude rate")
    assert row["numerator"] == 1 and math.isnan(row["value"])
    assert "no_population_denominator" in row["status"]
    assert row["comparator"] is None and row["significance"] is None


def test_crude_rates_and_exact_or_byars_limits(run):
    black = one(run.exact, "t_rate", "ethnicity_5", "Black or Black British", "crude rate")
    assert black["value"] == pytest.approx(6 / 1200 * 1e5)
    # Fewer than 10 events: exact Poisson limits chi2(0.025, 2x)/2, chi2(0.975, 2x+2)/2.
    assert black["lower"] == pytest.approx(sps.chi2.ppf(0.025, 12) / 2 / 1200 * 1e5)
    assert black["upper"] == pytest.approx(sps.chi2.ppf(0.975, 14) / 2 / 1200 * 1e5)
    assert black["method"] == "Exact"
    total = one(run.exact, "t_rate", "total", "Total", "crude rate")
    # 16 events: Byar's limits.
    o = 16
    lower = o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * math.sqrt(o + 1))) ** 3
    assert total["lower"] == pytest.approx(lower / 13780 * 1e5)
    assert total["upper"] == pytest.approx(upper / 13780 * 1e5)
    assert total["method"] == "Byars"


def test_sex_from_nhs_englands_derived_gender(run):
    sex = by_group(run.exact, "t_rate", "sex", "crude rate")
    # b1: GenderIDCode 2 wins over Gender 1; n1: GenderIDCode 3 is Other.
    assert sex == {"Male": 4, "Female": 8, "Other": 1, "Not known": 3}
    denominators = by_group(run.exact, "t_rate", "sex", "crude rate", "denominator")
    assert denominators["Male"] == 6000 + 600 + 50 + 500
    assert denominators["Female"] == 6000 + 600 + 30
    assert math.isnan(denominators["Other"])


def test_age_at_the_event_date_in_nhs_england_bands(run):
    ages = by_group(run.exact, "t_rate", "age_band", "crude rate")
    # b1 is 15 on 2024-04-30 and 16 from 2024-05-01; b2 has only AgeRepPeriodEnd 45; w3 is 39.
    assert ages == {"0-15": 1, "16-17": 4, "18-34": 3, "35-49": 4, "50-64": 0, "65+": 1,
                    "Not known": 3}
    denominators = by_group(run.exact, "t_rate", "age_band", "crude rate", "denominator")
    assert denominators["18-34"] == 2000 + 200 + 50 + 500
    assert denominators["35-49"] == 2200 + 30


def test_locality_from_the_lsoa_of_residence(run):
    localities = by_group(run.exact, "t_rate", "locality", "crude rate")
    assert localities == {"Medway": 10, "Swale": 2, "Not known": 4}
    rate = one(run.exact, "t_rate", "locality", "Swale", "crude rate")
    assert rate["denominator"] == 500 and rate["value"] == pytest.approx(2 / 500 * 1e5)


def test_localities_sharing_a_split_area_get_no_population():
    connection = duckdb.connect()
    build_warehouse(connection)
    # Area E06000002 (Swale's) now also holds an LSOA of another locality: its 500 residents
    # cannot be divided between the two, so neither gets a rate; Medway keeps its 13,280.
    _insert(connection, "lsoa_lookup", [{
        "LSOA2021": "E01000003", "AreaCode": "E06000002", "AreaName": "Swale",
        "Locality": "Sittingbourne", "IMDDecile": 5}])
    result = engine.compute(DuckDBBackend(connection), YEAR, catalogue={"t_rate": RATE})
    denominators = by_group(result.exact, "t_rate", "locality", "crude rate", "denominator")
    assert denominators["Medway"] == 13280
    assert math.isnan(denominators["Swale"])
    swale = one(result.exact, "t_rate", "locality", "Swale", "crude rate")
    assert swale["numerator"] == 2 and "no_population_denominator" in swale["status"]
    assert any("Sittingbourne, Swale" in w for w in result.record["warnings"])
    # The total is unaffected.
    assert one(result.exact, "t_rate", "total", "Total", "crude rate")["denominator"] == 13780


def test_months_and_quarters_of_the_financial_year(run):
    months = by_group(run.exact, "t_rate", "month", "crude rate")
    assert list(months) == [f"2024-{m:02d}" for m in range(4, 13)] + [
        f"2025-{m:02d}" for m in range(1, 4)]
    assert months["2024-04"] == 3 and months["2024-05"] == 3 and months["2024-11"] == 1
    assert sum(months.values()) == 16
    quarters = by_group(run.exact, "t_rate", "quarter", "crude rate")
    assert quarters == {"2024-25 Q1": 7, "2024-25 Q2": 3, "2024-25 Q3": 3, "2024-25 Q4": 3}
    # Per population per month, not annualised.
    april = one(run.exact, "t_rate", "month", "2024-04", "crude rate")
    assert april["denominator"] == 13780
    assert april["value"] == pytest.approx(3 / 13780 * 1e5)


def test_cross_breakdown_rows_have_group_and_subgroup(run):
    cells = by_group(run.exact, "t_rate", "ethnicity_5 x sex", "crude rate")
    assert cells[("White", "Male")] == 3
    assert cells[("White", "Female")] == 2
    assert cells[("White", "Not known")] == 1
    assert cells[("Black or Black British", "Female")] == 5
    assert cells[("Black or Black British", "Male")] == 1
    assert cells[("Other Ethnic Groups", "Male")] == 0  # Arab males: population, no events
    assert cells[("Not known", "Not known")] == 2
    denominators = by_group(run.exact, "t_rate", "ethnicity_5 x sex", "crude rate",
                            "denominator")
    assert denominators[("White", "Male")] == 6500
    assert denominators[("White", "Female")] == 6030
    # A cross written "quarter x ethnicity_5" is reported with ethnicity first.
    quarters = by_group(run.exact, "t_rate", "ethnicity_5 x quarter", "crude rate")
    assert quarters[("Black or Black British", "2024-25 Q1")] == 4
    assert quarters[("White", "2024-25 Q3")] == 2


def test_each_breakdown_adds_up_to_the_total(run):
    exact = run.exact[(run.exact["metric_id"] == "t_rate")
                      & (run.exact["statistic"] == "crude rate")]
    for breakdown, rows in exact.groupby("breakdown"):
        assert rows["numerator"].sum() == 16, breakdown


# -- comparison with the reference group -----------------------------------------------------


def test_rate_ratio_with_exact_conditional_interval(run):
    black = one(run.exact, "t_rate", "ethnicity_5", "Black or Black British", "crude rate")
    white_rate, black_rate = 6 / 12530, 6 / 1200
    assert black["comparator"] == "White"
    assert black["ratio"] == pytest.approx(black_rate / white_rate)
    # Counts below 10: Clopper-Pearson on 6 of 12 events, mapped back to the ratio.
    ci = sps.binomtest(6, 12).proportion_ci(0.95, method="exact")
    scale = 12530 / 1200
    assert black["ratio_lower"] == pytest.approx(ci.low / (1 - ci.low) * scale)
    assert black["ratio_upper"] == pytest.approx(ci.high / (1 - ci.high) * scale)
    assert black["significance"] == "higher than White"
    white = one(run.exact, "t_rate", "ethnicity_5", "White", "crude rate")
    assert white["ratio"] == 1 and white["significance"] == "reference group"
    other = one(run.exact, "t_rate", "ethnicity_5", "Other Ethnic Groups", "crude rate")
    assert other["ratio"] == 0


def test_cross_compares_within_the_same_subgroup(run):
    black_female = one(run.exact, "t_rate", "ethnicity_5 x sex", "Black or Black British",
                       "crude rate", "Female")
    assert black_female["comparator"] == "White"
    assert black_female["ratio"] == pytest.approx((5 / 600) / (2 / 6030))


def test_ethnicity_16_compares_with_its_own_reference(run):
    row = one(run.exact, "t_rate", "ethnicity_16", "Black African", "crude rate")
    assert row["comparator"] == "White British"
    assert row["ratio"] == pytest.approx((6 / 1200) / (6 / 12500))


def test_non_ethnicity_breakdowns_have_no_comparison(run):
    rows = rows_of(run.exact, "t_rate", "sex")
    assert rows["comparator"].isna().all() and rows["ratio"].isna().all()


# -- standardisation -------------------------------------------------------------------------

STANDARD = {  # the warehouse's total population by sex x band
    ("Male", "0-15"): 1100, ("Male", "16-17"): 1100, ("Male", "18-34"): 1650,
    ("Male", "35-49"): 1100, ("Male", "50-64"): 1100, ("Male", "65+"): 1100,
    ("Female", "0-15"): 1100, ("Female", "16-17"): 1100, ("Female", "18-34"): 1100,
    ("Female", "35-49"): 1130, ("Female", "50-64"): 1100, ("Female", "65+"): 1100,
}


def nhse_dsr(events: dict, population: dict, scale: float = 1.0):
    """NHS England's DSR and variance, written out from the method note (§3.1)."""
    total = sum(STANDARD.values())
    rate, variance = 0.0, 0.0
    for stratum, weight in STANDARD.items():
        d, n = events.get(stratum, 0) * scale, population[stratum]
        rate += weight / total * d / n
        variance += (weight / total) ** 2 * (d / n) * (1 - d / n) / n
    return rate, variance


WHITE_POP = {s: 1000 for s in STANDARD} | {("Male", "18-34"): 1500, ("Female", "35-49"): 1030}
BLACK_POP = dict.fromkeys(STANDARD, 100)
WHITE_EVENTS = {("Male", "18-34"): 3, ("Female", "35-49"): 2}  # w3 (sex not known) left out
BLACK_EVENTS = {("Female", "0-15"): 1, ("Female", "16-17"): 4, ("Male", "35-49"): 1}


def test_standardised_rate_is_nhs_englands_method(run):
    row = one(run.exact, "t_rate", "ethnicity_5", "White", "standardised rate")
    value, variance = nhse_dsr(WHITE_EVENTS, WHITE_POP)
    assert row["value"] == pytest.approx(value * 1e5)
    assert row["lower"] == pytest.approx((value - Z * math.sqrt(variance)) * 1e5)
    assert row["upper"] == pytest.approx((value + Z * math.sqrt(variance)) * 1e5)
    # The standardised numerator leaves out w3, whose sex is not known; the crude keeps her.
    assert row["numerator"] == 5
    assert one(run.exact, "t_rate", "ethnicity_5", "White", "crude rate")["numerator"] == 6
    black = one(run.exact, "t_rate", "ethnicity_5", "Black or Black British",
                "standardised rate")
    assert black["value"] == pytest.approx(nhse_dsr(BLACK_EVENTS, BLACK_POP)[0] * 1e5)
    assert black["value"] == pytest.approx((11 + 44 + 11) / 13780 * 1e5)


def test_a_group_without_population_in_a_stratum_is_not_standardised(run):
    other = one(run.exact, "t_rate", "ethnicity_5", "Other Ethnic Groups", "standardised rate")
    assert math.isnan(other["value"])
    assert "not_standardised_no_population_in_a_stratum" in other["status"]


def test_standardised_rates_by_ethnicity_and_quarter(run):
    rows = rows_of(run.exact, "t_rate", "ethnicity_5 x quarter", "standardised rate")
    white_q1 = rows[(rows["group"] == "White") & (rows["subgroup"] == "2024-25 Q1")].iloc[0]
    # White in Q1: w1 2024-04-10 (male 18-34) and w2 2024-04-01 (female 35-49).
    value, _ = nhse_dsr({("Male", "18-34"): 1, ("Female", "35-49"): 1}, WHITE_POP)
    assert white_q1["value"] == pytest.approx(value * 1e5)
    assert set(rows["subgroup"]) == {f"2024-25 Q{q}" for q in range(1, 5)}


def test_dsr_ratio_against_the_reference(run):
    # Numerator 3 per contact gives 15 White and 18 Black standardised events (>= 10).
    white, v_white = nhse_dsr(WHITE_EVENTS, WHITE_POP, scale=3)
    black, v_black = nhse_dsr(BLACK_EVENTS, BLACK_POP, scale=3)
    row = one(run.exact, "t_rate3", "ethnicity_5", "Black or Black British", "standardised rate")
    ratio = black / white
    se = math.sqrt(v_black / black**2 + v_white / white**2)
    assert row["ratio"] == pytest.approx(ratio)
    assert row["ratio_lower"] == pytest.approx(ratio * math.exp(-Z * se))
    assert row["ratio_upper"] == pytest.approx(ratio * math.exp(Z * se))
    assert row["ratio_method"] == "log-normal (delta method)"
    assert row["significance"] == "higher than White"
    # With fewer than 10 events the DSR ratio is not calculated (PHE's rule).
    small = one(run.exact, "t_rate", "ethnicity_5", "Black or Black British",
                "standardised rate")
    assert math.isnan(small["ratio"]) and "comparison_dsr_total_lt_10" in small["status"]


# -- other methods ---------------------------------------------------------------------------


def test_proportion_with_wilson_limits_by_team_and_deprivation(run):
    teams = by_group(run.exact, "t_attended", "team")
    # Each person's first contact was attended: T1 (Crisis) w1, w3, b1, z1, n1; T2 the rest.
    assert teams == {"Assessment team": 4, "Crisis team": 5}
    denominators = by_group(run.exact, "t_attended", "team", column="denominator")
    assert denominators == {"Assessment team": 5, "Crisis team": 11}
    crisis = one(run.exact, "t_attended", "team", "Crisis team")
    x, n = 5, 11
    centre, half = (2 * x + Z**2), Z * math.sqrt(Z**2 + 4 * x * (1 - x / n))
    assert crisis["value"] == pytest.approx(500 / 11)
    assert crisis["lower"] == pytest.approx((centre - half) / (2 * (n + Z**2)) * 100)
    assert crisis["upper"] == pytest.approx((centre + half) / (2 * (n + Z**2)) * 100)
    assert crisis["method"] == "Wilson"
    imd = by_group(run.exact, "t_attended", "imd_quintile", column="denominator")
    assert imd == {"2": 10, "5 (least deprived)": 2, "Not known": 4}


def test_ratio_of_proportions_for_proportion_metrics(run):
    black = one(run.exact, "t_attended", "ethnicity_5", "Black or Black British")
    # White: 3 of 6 contacts attended (w1, w2, w3 first contacts); Black: 2 of 6.
    assert black["ratio"] == pytest.approx((2 / 6) / (3 / 6))
    assert black["ratio_method"] == "MOVER-R (Wilson)"


def test_median_with_order_statistic_interval_and_phe_comparison(run):
    white = one(run.exact, "t_wait", "ethnicity_5", "White")
    # w1's ten waits 1..10 and w2's 3 and 5: 12 waits, median (5 + 5) / 2 = 5;
    # binomial ranks for n = 12 are 3 and 10: waits 3 and 8.
    assert white["numerator"] == 12
    assert white["value"] == 5
    assert (white["lower"], white["upper"]) == (3, 8)
    assert white["method"] == "order statistics (binomial)"
    black = one(run.exact, "t_wait", "ethnicity_5", "Black or Black British")
    # Six waits 20..30: median 25, interval the extremes (ranks 1 and 6).
    assert (black["value"], black["lower"], black["upper"]) == (25, 20, 30)
    assert black["ratio"] == pytest.approx(25 / 5)
    assert math.isnan(black["ratio_lower"])
    assert black["significance"] == "higher than White"  # 5 lies below 20..30
    female = one(run.exact, "t_wait", "sex", "Female")
    # w2's two waits and b1's six: 8 waits.
    assert female["numerator"] == 8


def test_too_few_observations_give_no_interval(con):
    few = metric("t_few", """
SELECT Person_ID, ReferralRequestReceivedDate AS event_date, 1 AS numerator,
       date_diff('day', ReferralRequestReceivedDate, ServDischDate) AS observation
FROM MHS101Referral
WHERE Person_ID = 'w2'
""", method="median", denominator="none", unit="days", breakdowns="[total]")
    result = engine.compute(DuckDBBackend(con), YEAR, catalogue={"t_few": few})
    total = one(result.exact, "t_few", "total", "Total")
    assert total["value"] == 4 and math.isnan(total["lower"])  # waits 3 and 5
    assert "too_few_observations_for_an_interval" in total["status"]


def test_observed_over_expected_cases(run):
    white = one(run.exact, "t_expected", "ethnicity_5", "White")
    # Aged 65+: 1,000 White British men and women aged 70, prevalence 3% and 4%.
    assert white["denominator"] == pytest.approx(70)
    assert white["numerator"] == 14 and white["value"] == pytest.approx(20)
    black = one(run.exact, "t_expected", "ethnicity_5", "Black or Black British")
    assert black["denominator"] == pytest.approx(7)
    assert black["value"] == pytest.approx(3 / 7 * 100)
    assert black["lower"] == pytest.approx(sps.chi2.ppf(0.025, 6) / 2 / 7 * 100)
    assert black["ratio"] == pytest.approx((3 / 7) / (14 / 70))
    total = one(run.exact, "t_expected", "total", "Total")
    assert total["denominator"] == pytest.approx(77)
    female = one(run.exact, "t_expected", "sex", "Female")
    assert female["denominator"] == pytest.approx(1100 * 0.04)


def test_rate_per_occupied_bed_day_by_ward(run):
    wards = by_group(run.exact, "t_bed_days", "ward")
    assert wards == {"Oak": 9, "Willow": 10}
    willow = one(run.exact, "t_bed_days", "ward", "Willow")
    assert willow["denominator"] == 90 and willow["value"] == pytest.approx(10 / 90 * 1000)
    assert willow["statistic"] == "crude rate"


# -- disclosure ------------------------------------------------------------------------------


def test_public_file_never_shows_a_count_from_1_to_7(run):
    public = run.public
    shown = public["numerator"].dropna().astype(int)
    assert not shown.between(1, 7).any()
    assert (shown % 5 == 0).all()
    assert (public["disclosure_policy"] == "public").all()
    hidden = public[public["status"].str.startswith(("suppressed_small", "suppressed_sec"))]
    assert hidden["value"].isna().all() and (hidden["display_value"] == "*").all()
    # Black: 6 contacts, primary suppressed, and its rate and ratio go with it.
    black = one(public, "t_rate", "ethnicity_5", "Black or Black British", "crude rate")
    assert pd.isna(black["numerator"]) and black["display_value"] == "*"
    assert math.isnan(black["ratio"]) and black["significance"] is None


def test_public_secondary_suppression_leaves_no_lone_hidden_cell(run):
    """Where a total is shown, no breakdown hides exactly one positive count (it would be the
    total minus the rest)."""
    public = run.public[(run.public["metric_id"] == "t_rate")
                        & (run.public["statistic"] == "crude rate")]
    exact = run.exact[(run.exact["metric_id"] == "t_rate")
                      & (run.exact["statistic"] == "crude rate")]
    assert not pd.isna(one(public, "t_rate", "total", "Total")["numerator"])
    for breakdown in ("ethnicity_5", "ethnicity_16", "age_band", "sex", "locality", "month",
                      "quarter"):
        shown = rows_of(public, "t_rate", breakdown)["numerator"].isna().to_numpy()
        positive = rows_of(exact, "t_rate", breakdown)["numerator"].to_numpy() > 0
        assert (shown & positive).sum() != 1, breakdown


def test_public_standardised_rows_show_no_count(run):
    rows = run.public[run.public["statistic"] == "standardised rate"]
    assert len(rows) and rows["numerator"].isna().all()


def test_bed_day_rates_are_withheld_below_100_bed_days(run):
    for frame in (run.public, run.internal):
        willow = one(frame, "t_bed_days", "ward", "Willow")
        # 10 events are publishable, but 90 occupied bed days are too few for a rate.
        assert willow["numerator"] == 10 and math.isnan(willow["value"])
        assert willow["status"] == "suppressed_bed_days_below_100"
        assert willow["display_value"] == "*"
        oak = one(frame, "t_bed_days", "ward", "Oak")
        assert oak["value"] == pytest.approx(9 / 130 * 1000) and oak["numerator"] == 10


def test_internal_file_uses_nhs_englands_rule(run):
    internal = run.internal
    assert (internal["disclosure_policy"] == "nhse").all()
    shown = internal["numerator"].dropna().astype(int)
    assert not shown.between(1, 4).any() and (shown % 5 == 0).all()
    black = one(internal, "t_rate", "ethnicity_5", "Black or Black British", "crude rate")
    assert black["numerator"] == 5 and black["status"] == "rounded"
    assert black["display_value"] == "500.0"
    not_stated = one(internal, "t_rate", "ethnicity_5", "Not stated", "crude rate")
    assert pd.isna(not_stated["numerator"])
    assert not_stated["status"] == "suppressed_small_count; no_population_denominator"


# -- the run ---------------------------------------------------------------------------------


def test_results_columns_and_order(run):
    assert list(run.internal.columns)[:4] == ["metric_id", "period", "breakdown", "group"]
    rate = run.internal[run.internal["metric_id"] == "t_rate"]
    breakdowns = list(dict.fromkeys(rate["breakdown"]))
    assert breakdowns == ["total", "ethnicity_5", "ethnicity_16", "age_band", "sex",
                          "locality", "month", "quarter", "ethnicity_5 x sex",
                          "ethnicity_5 x quarter"]
    assert list(dict.fromkeys(rate["statistic"])) == ["crude rate", "standardised rate"]
    assert (run.internal["run_id"] == run.run_id).all()


def test_missing_optional_table_skips_the_metric():
    connection = duckdb.connect()
    build_warehouse(connection, skip_tables={"MHS505RestrictiveInterventInc"})
    restraint = metric(
        "t_restraint", """
SELECT Person_ID, StartDateRestrictiveIntInc AS event_date, 1 AS numerator
FROM MHS505RestrictiveInterventInc
WHERE StartDateRestrictiveIntInc BETWEEN $period_start AND $period_end
""", breakdowns="[total]")
    result = engine.compute(DuckDBBackend(connection), YEAR,
                            catalogue={"t_restraint": restraint, "t_rate": RATE},
                            metric_ids=None)
    record = result.record["metrics"]
    assert record["t_restraint"]["status"] == "skipped"
    assert "MHS505RestrictiveInterventInc" in record["t_restraint"]["reason"]
    assert record["t_rate"]["status"] == "computed"
    assert set(result.internal["metric_id"]) == {"t_rate"}


def test_a_broken_metric_fails_alone_with_a_clear_reason(con):
    broken = metric("t_broken", """
SELECT Person_ID, CareContDate AS event_date, 1 AS numerator FROM MHS201CareContact
""", breakdowns="[total]")
    result = engine.compute(DuckDBBackend(con), YEAR,
                            catalogue={"t_broken": broken, "t_wait": WAIT})
    reason = result.record["metrics"]["t_broken"]["reason"]
    assert result.record["metrics"]["t_broken"]["status"] == "failed"
    assert "1 unit row(s) in 2024-25 have an event_date outside 2024-25" in reason
    assert result.failed == ["t_broken"]
    assert result.record["metrics"]["t_wait"]["status"] == "computed"


def test_a_proportion_above_one_fails_the_metric_not_the_run(con):
    over = metric("t_over", """
SELECT Person_ID, CareContDate AS event_date, 2 AS numerator, 1 AS denominator
FROM MHS201CareContact
WHERE CareContDate BETWEEN $period_start AND $period_end
""", method="proportion", denominator="rows", unit='"%"', breakdowns="[total]")
    result = engine.compute(DuckDBBackend(con), YEAR,
                            catalogue={"t_over": over, "t_wait": WAIT})
    record = result.record["metrics"]["t_over"]
    assert record["status"] == "failed"
    assert "expected a numerator <= the denominator" in record["reason"]
    assert result.record["metrics"]["t_wait"]["status"] == "computed"


def test_unknown_metric_id_is_refused(con):
    with pytest.raises(engine.EngineError, match=r"unknown metric id.*t_nope"):
        engine.compute(DuckDBBackend(con), YEAR, ["t_nope"], catalogue=CATALOGUE)


def test_several_periods_give_rows_per_period(con):
    periods = parse_periods("2023-24,2024-25")
    result = engine.compute(DuckDBBackend(con), periods, catalogue={"t_rate": RATE})
    totals = by_group(result.exact[result.exact["breakdown"] == "total"], "t_rate", "total",
                      "crude rate")
    assert set(result.exact["period"]) == {"2023-24", "2024-25"}
    months = rows_of(result.exact, "t_rate", "month", "crude rate")
    assert len(months) == 24
    earlier = result.exact[(result.exact["period"] == "2023-24")
                           & (result.exact["breakdown"] == "total")
                           & (result.exact["statistic"] == "crude rate")]
    assert earlier["numerator"].tolist() == [1]  # w1's contact of 2024-03-31
    assert totals  # both periods present


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("warehouse") / "w.duckdb"
    connection = duckdb.connect(str(path))
    build_warehouse(connection)
    connection.execute(
        "CREATE TABLE ingest_run (run_id VARCHAR, started_at TIMESTAMPTZ, finished_at "
        "TIMESTAMPTZ, input_fingerprint VARCHAR, key_id VARCHAR, contract_version VARCHAR, "
        "code_version VARCHAR, issues JSON)"
    )
    issues = json.dumps([{"rule": "optional_table_missing", "severity": "warning",
                          "table": "MHS505RestrictiveInterventInc", "column": None,
                          "count": 1}])
    connection.execute(
        "INSERT INTO ingest_run VALUES ('ingest-1', TIMESTAMPTZ '2025-05-01 10:00:00+00', "
        "TIMESTAMPTZ '2025-05-01 10:01:00+00', 'abc123', 'key-7', '1.0', 'pcref test', ?)",
        [issues],
    )
    connection.close()
    return path


def test_two_runs_write_identical_results(warehouse_file, tmp_path):
    catalogue = {"t_rate": RATE, "t_attended": ATTENDED}
    first = tmp_path / "one"
    second = tmp_path / "two"
    for out in (first, second):
        backend = DuckDBBackend.open(warehouse_file)
        engine.write(engine.compute(backend, YEAR, catalogue=catalogue), out)
        backend.close()
    for name in ("results.parquet", "public/results.parquet"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    one_run = json.loads((first / "run.json").read_text())
    two_run = json.loads((second / "run.json").read_text())
    assert one_run["run_id"] == two_run["run_id"]
    assert one_run["files"] == two_run["files"]


def test_run_json_records_what_made_the_run(warehouse_file, tmp_path):
    backend = DuckDBBackend.open(warehouse_file)
    result = engine.compute(backend, YEAR, catalogue={"t_rate": RATE})
    backend.close()
    engine.write(result, tmp_path)
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["run_id"] == result.run_id and len(record["run_id"]) == 24
    assert record["input"]["source"] == "ingest_run"
    assert record["input"]["fingerprint"] == "abc123/key-7"
    assert record["input"]["ingest_run_id"] == "ingest-1"
    assert record["code_version"].startswith("pcref ")
    assert record["periods"] == [{"label": "2024-25", "start": "2024-04-01",
                                  "end": "2025-03-31"}]
    assert record["disclosure"]["internal"]["name"] == "nhse"
    assert record["disclosure"]["public"]["suppress_below"] == 8
    metric_record = record["metrics"]["t_rate"]
    assert metric_record["status"] == "computed"
    assert metric_record["sql_sha256"] == __import__("hashlib").sha256(
        RATE.sql.encode()).hexdigest()
    assert metric_record["unit_rows"] == {"2024-25": 16}
    assert metric_record["seconds"] >= 0 and metric_record["rows"] > 0
    assert "standardisation" in record["methods"]
    dt.datetime.fromisoformat(record["created_at"])
    table = pq.read_table(tmp_path / "results.parquet")
    assert table.schema.metadata is None
    assert table.num_rows == record["rows"]["internal"]


def test_run_id_changes_with_the_definition(warehouse_file):
    backend = DuckDBBackend.open(warehouse_file)
    one_id = engine.compute(backend, YEAR, catalogue={"t_rate": RATE}).run_id
    changed = metric("t_rate", CONTACT_ROWS.format(n=1) + " AND Person_ID <> 'w1'",
                     multiplier=100000, breakdowns="[total]")
    other_id = engine.compute(backend, YEAR, catalogue={"t_rate": changed}).run_id
    backend.close()
    assert one_id != other_id


def test_optional_table_not_supplied_at_ingest_skips_the_metric(warehouse_file):
    restraint = metric("t_restraint", """
SELECT Person_ID, StartDateRestrictiveIntInc AS event_date, 1 AS numerator
FROM MHS505RestrictiveInterventInc
WHERE StartDateRestrictiveIntInc BETWEEN $period_start AND $period_end
""", breakdowns="[total]")
    backend = DuckDBBackend.open(warehouse_file)
    result = engine.compute(backend, YEAR, catalogue={"t_restraint": restraint})
    backend.close()
    record = result.record["metrics"]["t_restraint"]
    assert record["status"] == "skipped" and "not supplied in the extract" in record["reason"]


# -- the command line ------------------------------------------------------------------------


def test_cli_computes_the_mha_detentions_metric(warehouse_file, tmp_path):
    out = tmp_path / "results"
    result = CliRunner().invoke(app, [
        "compute", "--warehouse", str(warehouse_file), "--period", "2024-25",
        "--metrics", "mha_detentions", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert "1 computed" in result.stdout
    record = json.loads((out / "run.json").read_text())
    assert record["metrics"]["mha_detentions"]["status"] == "computed"
    results = pq.read_table(out / "public" / "results.parquet").to_pandas()
    total = results[(results["breakdown"] == "total") & (results["statistic"] == "crude rate")]
    assert total["numerator"].tolist() == [0]  # no detentions in this warehouse
    assert total["denominator"].tolist() == [13780]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--period", "2024-26"], "the second year must follow the first"),
    (["--period", "2024"], "expected a financial year written YYYY-YY"),
    (["--period", "2024-25", "--metrics", "no_such_metric"], "unknown metric id"),
])
def test_cli_refuses_bad_arguments(warehouse_file, tmp_path, arguments, message):
    result = CliRunner().invoke(app, ["compute", "--warehouse", str(warehouse_file),
                                      "--out", str(tmp_path / "r"), *arguments])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_refuses_a_warehouse_without_the_engines_tables(tmp_path):
    path = tmp_path / "bare.duckdb"
    duckdb.connect(str(path)).close()
    result = CliRunner().invoke(app, ["compute", "--warehouse", str(path), "--period",
                                      "2024-25", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "lacks table(s) MHS001MPI, lsoa_lookup" in result.output
    missing = CliRunner().invoke(app, ["compute", "--warehouse", str(tmp_path / "none.duckdb"),
                                       "--period", "2024-25", "--out", str(tmp_path / "r")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_engine_sql_transpiles_to_spark():
    import sqlglot

    from pcref.metrics import aggregate, attributes
    from pcref.metrics.population import SPLIT_AREAS_SQL, population_cells_sql

    statements = [
        attributes.person_attributes_sql(),
        population_cells_sql(65),
        SPLIT_AREAS_SQL,
        aggregate.unit_counts_sql(["ethnicity_5", "ethnicity_16", "sex", "age_band", "month",
                                   "quarter", "team", "ward", "imd_quintile", "locality"],
                                  has_statistic=True, has_denominator=True, median=True),
        aggregate.counts_sql([(), ("ethnicity_5",), ("ethnicity_5", "sex", "age_band"),
                              ("ethnicity_16", "month"), ("team",), ("ward", "quarter")],
                             has_denominator=True, median=False, team_lookup=True,
                             ward_lookup=True),
        aggregate.counts_sql([("imd_quintile", "locality")], has_denominator=False,
                             median=True, team_lookup=False, ward_lookup=False),
        aggregate.unit_checks_sql(YEAR[0], has_statistic=True, has_denominator=True,
                                  has_observation=True),
    ]
    for sql in statements:
        spark = sqlglot.transpile(sql, read="duckdb", write="spark",
                                  unsupported_level=sqlglot.ErrorLevel.RAISE)[0]
        assert "GROUPING SETS" in spark or "GROUPING SETS" not in sql
        assert "::" not in spark


def test_unit_rows_still_accept_a_duckdb_connection(con):
    from pcref.metrics.sql import unit_rows

    frame = unit_rows(con, RATE, YEAR[0].start, YEAR[0].end)
    assert len(frame) == 16 and set(frame.columns) == {"Person_ID", "event_date", "numerator"}


def test_numbers_are_reproducible_in_memory(con):
    again = engine.compute(DuckDBBackend(con), YEAR, catalogue={"t_rate": RATE})
    first = engine.compute(DuckDBBackend(con), YEAR, catalogue={"t_rate": RATE})
    pd.testing.assert_frame_equal(first.internal, again.internal)
    assert np.array_equal(first.exact["value"].to_numpy(), again.exact["value"].to_numpy(),
                          equal_nan=True)


def test_cli_help_lists_compute():
    result = CliRunner().invoke(app, ["compute", "--help"])
    assert result.exit_code == 0 and "--period" in result.output


def test_results_folder_layout(warehouse_file, tmp_path):
    backend = DuckDBBackend.open(warehouse_file)
    engine.write(engine.compute(backend, YEAR, catalogue={"t_wait": WAIT}), tmp_path)
    backend.close()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                  if p.is_file()) == ["public/results.parquet", "results.parquet", "run.json"]
    assert Path(tmp_path / "public").is_dir()
