"""The population table is Kent-and-Medway-like (or England-like) and the people in contact are
consistent with it: everyone comes from a populated cell, and no cell has more people in
contact than residents."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pcref import codelists
from pcref.synth.config import load_config
from pcref.synth.geography import build_geography
from pcref.synth.groups import GROUP_KEYS
from pcref.synth.population import build_population
from pcref.synth.sampling import rng_for

KENT_AND_MEDWAY = {
    "E07000105": "Ashford", "E07000106": "Canterbury", "E07000107": "Dartford",
    "E07000108": "Dover", "E07000109": "Gravesham", "E07000110": "Maidstone",
    "E07000111": "Sevenoaks", "E07000112": "Folkestone and Hythe", "E07000113": "Swale",
    "E07000114": "Thanet", "E07000115": "Tonbridge and Malling", "E07000116": "Tunbridge Wells",
    "E06000035": "Medway",
}
FIVE = {"White": ("13", "14", "15", "16", "17"), "Mixed": ("9", "10", "11", "12"),
        "Asian": ("1", "2", "3", "4", "5"), "Black": ("6", "7", "8"), "Other": ("18", "19")}


def _shares(pop: np.ndarray, area: slice | list | None = None) -> dict[str, float]:
    counts = pop[area].sum(axis=(0, 2, 3)) if area is not None else pop.sum(axis=(0, 2, 3))
    total = counts.sum()
    return {name: 100 * sum(counts[int(c) - 1] for c in codes) / total
            for name, codes in FIVE.items()}


@pytest.fixture(scope="module")
def trust_population():
    config = load_config()
    geography = build_geography(config, "trust", 1.0, rng_for(1, 1))
    return geography, build_population(config, geography, rng_for(1, 2)).count


def test_trust_population_is_kent_and_medway_like(trust_population):
    geography, pop = trust_population
    assert dict(zip(geography.area_code, geography.area_name, strict=True)) == KENT_AND_MEDWAY
    assert pop.shape == (13, 19, 2, 91)
    assert pop.sum() == pytest.approx(1_855_900, rel=0.001)
    medway = list(geography.area_code).index("E06000035")
    # Census 2021 Medway (pcref-requirements.md §5): White 84.3, Black 5.6, Asian 5.9,
    # Mixed 2.8, Other 1.4 (per cent)
    expected = {"White": 84.3, "Black": 5.6, "Asian": 5.9, "Mixed": 2.8, "Other": 1.4}
    for group, share in _shares(pop, [medway]).items():
        assert share == pytest.approx(expected[group], abs=0.2), group
    # districts differ: Gravesham and Dartford are more diverse than Dover and Swale
    white_british = GROUP_KEYS.index("white_british")
    share_wb = pop[:, white_british].sum(axis=(1, 2)) / pop.sum(axis=(1, 2, 3))
    by_name = dict(zip(geography.area_name, share_wb, strict=True))
    assert by_name["Gravesham"] < by_name["Dover"] - 0.05
    assert by_name["Dartford"] < by_name["Swale"] - 0.05


def test_age_and_sex_structure_is_realistic(trust_population):
    _, pop = trust_population
    ages = np.arange(91)

    def median_age(group: str) -> float:
        weights = pop[:, GROUP_KEYS.index(group)].sum(axis=(0, 1))
        return float(ages[np.searchsorted(np.cumsum(weights) / weights.sum(), 0.5)])

    assert 40 <= median_age("white_british") <= 48
    assert median_age("white_and_black_caribbean") < median_age("african") < median_age(
        "white_british")
    women_85_plus = pop[:, :, 1, 85:].sum()
    men_85_plus = pop[:, :, 0, 85:].sum()
    assert women_85_plus > 1.3 * men_85_plus
    boys, girls = pop[:, :, 0, :5].sum(), pop[:, :, 1, :5].sum()
    assert 1.0 < boys / girls < 1.1


def test_national_population_is_england_like():
    config = load_config()
    geography = build_geography(config, "national", 1.0, rng_for(1, 1))
    pop = build_population(config, geography, rng_for(1, 2)).count
    assert pop.sum() == pytest.approx(56_490_000, rel=0.001)
    assert geography.n_areas >= 100
    expected = {"White": 81.0, "Asian": 9.6, "Black": 4.2, "Mixed": 3.0, "Other": 2.2}
    for group, share in _shares(pop).items():
        assert share == pytest.approx(expected[group], abs=0.05), group
    # areas differ in their mix: a spread of White British shares
    white_british = GROUP_KEYS.index("white_british")
    share_wb = pop[:, white_british].sum(axis=(1, 2)) / pop.sum(axis=(1, 2, 3))
    assert share_wb.max() - share_wb.min() > 0.3


def _index_cells(directory, read) -> pd.DataFrame:
    """Each person's area, NHS ethnic code, sex and age at the end of the financial year of
    their first referral (the first year of the span for referrals made before it)."""
    mpi = read(directory, "MHS001MPI")
    lsoa = read(directory, "lsoa_lookup")
    referrals = read(directory, "MHS101Referral")
    first = referrals.groupby("Person_ID")["ReferralRequestReceivedDate"].min()
    people = mpi.merge(lsoa[["LSOA2021", "AreaCode"]], on="LSOA2021", how="left")
    people["first"] = people["Person_ID"].map(first)
    assert people["first"].notna().all(), "everyone has a referral"
    assert people["AreaCode"].notna().all(), "every LSOA is in the lookup"
    first_day = pd.to_datetime(people["first"]).clip(lower=pd.Timestamp("2022-04-01"))
    fy_end_year = first_day.dt.year + (first_day.dt.month >= 4).astype(int)
    birth = pd.to_datetime(people["PersonBirthDate"])
    age = fy_end_year - birth.dt.year - (birth.dt.month > 3).astype(int)
    people["Age"] = age.clip(upper=90).astype(str)
    people["Sex"] = people["Gender"]
    return people


def test_people_come_from_populated_cells_and_never_exceed_them(clean_extract, read):
    people = _index_cells(clean_extract.directory, read)
    population = read(clean_extract.directory, "population")
    # census group -> the NHS code it is recorded as (code list map; Gypsy/Irish Traveller and
    # Roma are recorded as C, Arab as S — documented in docs/synthetic-data.md)
    census = codelists.load("census2021_ethnic_group").set_index("code")["nhs_ethnic_category"]
    recorded = census.fillna("").to_dict()
    recorded.update({"15": "C", "16": "C", "18": "S"})
    population["EthnicCategory"] = population["Census2021EthnicGroup"].map(recorded)
    population["Population"] = population["Population"].astype(int)
    cells = population.groupby(["AreaCode", "EthnicCategory", "Sex", "Age"])["Population"].sum()
    counts = people.groupby(["AreaCode", "EthnicCategory", "Sex", "Age"]).size()
    joined = pd.concat([counts.rename("people"), cells.rename("residents")], axis=1)
    in_contact = joined[joined["people"].notna()]
    assert (in_contact["residents"] > 0).all()
    assert (in_contact["people"] <= in_contact["residents"]).all()
    assert len(in_contact) > 1000


def test_minority_groups_live_in_more_deprived_areas(large_default, read):
    mpi = read(large_default.directory, "MHS001MPI")
    lsoa = read(large_default.directory, "lsoa_lookup")
    people = mpi.merge(lsoa, on="LSOA2021")
    people["IMDDecile"] = people["IMDDecile"].astype(int)
    decile = people.groupby("EthnicCategory")["IMDDecile"].mean()
    black = people[people["EthnicCategory"].isin(["M", "N", "P"])]["IMDDecile"].mean()
    assert black < decile["A"] - 0.3  # decile 1 = most deprived
    assert set(lsoa["IMDDecile"].astype(int)) == set(range(1, 11))


def test_population_table_matches_configured_areas(clean_extract, read):
    population = read(clean_extract.directory, "population")
    assert len(population) == 13 * 19 * 2 * 91
    assert set(population["AreaCode"]) == set(KENT_AND_MEDWAY)
    residents = population.assign(n=population["Population"].astype(int))
    totals = residents.groupby("AreaCode")["n"].sum()
    factor = clean_extract.truth["generator"]["population_factor"]
    assert totals["E06000035"] == pytest.approx(279_800 * factor, rel=0.02)
    assert dt.date.fromisoformat(clean_extract.truth["span"]["end"]) == dt.date(2025, 3, 31)
