"""``standardise: esp2013``: a directly standardised rate within an age range, on the European
Standard Population 2013's five-year bands, worked out by hand on a small warehouse.

Residents aged 65 and over (area E06000001), per sex, by five-year band:

============== ===== ===== ===== ===== ===== =====
band           65-69 70-74 75-79 80-84 85-89 90+
============== ===== ===== ===== ===== ===== =====
White British  100   100   200   200   100   100
Black African  200   200   100   50    50    50
ESP 2013       5500  5000  4000  2500  1500  1000
============== ===== ===== ===== ===== ===== =====

Referrals in 2024-25 (one unit row each), with age on the day:

* White British: a woman aged 82 four times (Female 80-84), a man aged 71 twice (Male 70-74);
* Black African: a woman aged 66 three times (Female 65-69), a man aged 91 once (Male 90+);
  and a man aged 62 once, outside the standard's bands.

The standard weights each sex × band by the ESP (Σw = 2 × 19,500 = 39,000), and NHS England's
variance Σ w² r(1 − r)/n / (Σw)² with normal limits, as for the trust-standardised rates.
"""

import math

import pytest
from scipy import stats as sps

from pcref.metrics import engine
from pcref.metrics.backend import DuckDBBackend
from pcref.metrics.catalogue import parse_metric
from pcref.metrics.periods import parse_periods

YEAR = parse_periods("2024-25")
Z = sps.norm.ppf(0.975)
TOTAL_WEIGHT = 39000.0
METRIC_TEXT = """/*
id: t_esp
title: t_esp
description: test metric
family: Test
unit: per 100,000 population aged 65+
method: rate
multiplier: 100000
standardise: esp2013
denominator: population
population_min_age: 65
breakdowns: [total, ethnicity_5, ethnicity_16, sex]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: neutral
suppression: counts
*/
SELECT Person_ID, ReferralRequestReceivedDate AS event_date, 1 AS numerator
FROM MHS101Referral
WHERE ReferralRequestReceivedDate BETWEEN $period_start AND $period_end
"""
BANDS = {67: (100, 200), 72: (100, 200), 77: (200, 100), 82: (200, 50), 87: (100, 50),
         92: (100, 50)}
PEOPLE = {  # person: (ethnic category, gender, birth date, referrals on 2024-09-01)
    "wf": ("A", "2", "1942-01-01", 4),
    "wm": ("A", "1", "1953-01-01", 2),
    "bf": ("N", "2", "1958-01-01", 3),
    "bm": ("N", "1", "1933-01-01", 1),
    "young": ("N", "1", "1962-01-01", 1),
}


@pytest.fixture
def run(warehouse, insert):
    insert("lsoa_lookup", [{"LSOA2021": "E01000001", "AreaCode": "E06000001",
                            "AreaName": "Medway", "Locality": "Medway", "IMDDecile": 3}])
    insert("population", [
        {"AreaCode": "E06000001", "Census2021EthnicGroup": group, "Sex": sex, "Age": age,
         "Population": counts[i]}
        for age, counts in BANDS.items() for sex in ("1", "2")
        for i, group in enumerate(("13", "6"))
    ])
    insert("MHS001MPI", [
        {"Person_ID": p, "OrgIDProv": "RXY", "EthnicCategory": e, "Gender": g,
         "PersonBirthDate": born, "LSOA2021": "E01000001"}
        for p, (e, g, born, _) in PEOPLE.items()
    ])
    insert("MHS101Referral", [
        {"UniqServReqID": f"{p}-{i}", "Person_ID": p, "OrgIDProv": "RXY",
         "ReferralRequestReceivedDate": "2024-09-01"}
        for p, (*_, n) in PEOPLE.items() for i in range(n)
    ])
    metric = parse_metric(METRIC_TEXT, "catalogue/t_esp.sql")
    return engine.compute(DuckDBBackend(warehouse), YEAR, catalogue={metric.id: metric})


def row(run, breakdown, group, statistic):
    exact = run.exact
    found = exact[(exact["breakdown"] == breakdown) & (exact["group"] == group)
                  & (exact["statistic"] == statistic)]
    assert len(found) == 1, found
    return found.iloc[0]


def test_rates_are_standardised_by_sex_and_esp_bands_within_65_plus(run):
    assert run.record["metrics"]["t_esp"]["status"] == "computed"
    white = row(run, "ethnicity_5", "White", "standardised rate")
    value = (2500 * 4 / 200 + 5000 * 2 / 100) / TOTAL_WEIGHT             # 180 / 39,000
    variance = (2500**2 * 0.02 * 0.98 / 200 + 5000**2 * 0.02 * 0.98 / 100) / TOTAL_WEIGHT**2
    assert white["value"] == pytest.approx(value * 1e5)
    assert white["lower"] == pytest.approx((value - Z * math.sqrt(variance)) * 1e5)
    assert white["upper"] == pytest.approx((value + Z * math.sqrt(variance)) * 1e5)
    assert white["numerator"] == 6
    black = row(run, "ethnicity_16", "Black African", "standardised rate")
    assert black["value"] == pytest.approx((5500 * 3 / 200 + 1000 / 50) / TOTAL_WEIGHT * 1e5)
    # The man aged 62 is in no band of the standard: in the crude rate only.
    assert black["numerator"] == 4
    assert row(run, "ethnicity_16", "Black African", "crude rate")["numerator"] == 5
    # The crude rate ignores the age structure: White people are older here.
    crude = row(run, "ethnicity_5", "White", "crude rate")
    assert crude["value"] == pytest.approx(6 / 1600 * 1e5)


def test_the_method_is_recorded(run):
    assert "European Standard Population 2013" in run.record["methods"]["standardisation"]


def test_esp2013_needs_a_minimum_age_at_a_band_start():
    with pytest.raises(ValueError, match="start of a five-year band"):
        parse_metric(METRIC_TEXT.replace("population_min_age: 65", "population_min_age: 67"),
                     "catalogue/t_esp.sql")
    with pytest.raises(ValueError, match="standardise 'dsr'"):
        parse_metric(METRIC_TEXT.replace("standardise: esp2013", "standardise: dsr"),
                     "catalogue/t_esp.sql")
