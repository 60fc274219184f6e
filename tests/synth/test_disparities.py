"""The injected disparities can be recovered from the generated data with plain pandas.

Detentions are counted here with a simple, independent reading of the records — a new
period of detention is a section 2, section 3 or court/prison order that starts inside a
hospital spell and does not merely continue the previous section (2 → 3 or a renewal on the
day the last one ended, 35 → 37), unless the previous section 3 was revived by a CTO
revocation — not with the metric catalogue's implementation of NHS England's rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pcref import codelists
from pcref.synth.generate import generate

SECTIONS = {"02", "03", "07", "08", "09", "10", "12", "13", "14", "15", "16", "17", "18", "31"}
BANDS = [(0, 15), (16, 17), (18, 34), (35, 49), (50, 64), (65, 200)]
YEARS = (2022, 2023, 2024)
BLACK = {"M", "N", "P"}


def _new_detentions(read, directory) -> pd.DataFrame:
    ep = read(directory, "MHS401MHActPeriod")
    spells = read(directory, "MHS501HospProvSpell")
    cto = read(directory, "MHS404CommTreatOrder")
    ep = ep[ep["LegalStatusCode"].isin(SECTIONS)].copy()
    ep["start"] = pd.to_datetime(ep["StartDateMHActLegalStatusClass"])
    ep["end"] = pd.to_datetime(ep["EndDateMHActLegalStatusClass"])
    # starts inside a spell of the same person
    sp = spells[["Person_ID", "StartDateHospProvSpell", "DischDateHospProvSpell"]].copy()
    sp["adm"] = pd.to_datetime(sp["StartDateHospProvSpell"])
    sp["dis"] = pd.to_datetime(sp["DischDateHospProvSpell"]).fillna(pd.Timestamp("2100-01-01"))
    inside = ep.merge(sp, on="Person_ID")
    inside = inside[(inside["adm"] <= inside["start"]) & (inside["start"] <= inside["dis"])]
    ep = ep[ep["UniqMHActEpisodeID"].isin(set(inside["UniqMHActEpisodeID"]))]
    # continuations: the person's previous section ended the day this one starts
    revoked = cto[cto["CommTreatOrdEndReason"] == "02"]
    revoked_ends = set(zip(revoked["UniqMHActEpisodeID"],
                           pd.to_datetime(revoked["EndDateCommTreatOrd"]), strict=True))
    prev = ep[["Person_ID", "UniqMHActEpisodeID", "LegalStatusCode", "end"]].rename(
        columns={"UniqMHActEpisodeID": "prev_id", "LegalStatusCode": "prev_code"})
    pairs = ep.merge(prev, left_on=["Person_ID", "start"], right_on=["Person_ID", "end"],
                     suffixes=("", "_prev"))
    pairs = pairs[pairs["prev_id"] != pairs["UniqMHActEpisodeID"]]
    continuing = (
        ((pairs["prev_code"] == "02") & (pairs["LegalStatusCode"] == "03"))
        | (pairs["prev_code"] == pairs["LegalStatusCode"])
        | ((pairs["prev_code"] == "07") & (pairs["LegalStatusCode"] == "10"))
    )
    revival = [(p, s) in revoked_ends for p, s in zip(pairs["prev_id"], pairs["start"],
                                                      strict=True)]
    not_new = set(pairs.loc[continuing & ~np.array(revival, dtype=bool), "UniqMHActEpisodeID"])
    return ep[~ep["UniqMHActEpisodeID"].isin(not_new)]


def _standardised_ratio(read, directory, numerator_codes, reference_codes):
    """Pooled 2022-25 detentions per resident-year, directly standardised by sex × NHS England's
    six age bands to the total population; returns (ratio, 95% CI low, high)."""
    det = _new_detentions(read, directory)
    mpi = read(directory, "MHS001MPI")
    det = det.merge(mpi[["Person_ID", "PersonBirthDate", "Gender", "EthnicCategory"]],
                    on="Person_ID")
    birth = pd.to_datetime(det["PersonBirthDate"])
    fy = det["start"].dt.year - (det["start"].dt.month < 4)
    det = det[fy.isin(YEARS)].copy()
    fy = fy[det.index]
    birth = birth[det.index]
    # age at 31 March ending the financial year
    det["age"] = (fy + 1) - birth.dt.year - (birth.dt.month > 3).astype(int)
    det["band"] = pd.cut(det["age"], [b[0] - 1 for b in BANDS] + [200], labels=False)
    det["sex"] = det["Gender"]

    pop = read(directory, "population")
    census = codelists.load("census2021_ethnic_group").set_index("code")["nhs_ethnic_category"]
    pop["code"] = pop["Census2021EthnicGroup"].map(census.fillna("").to_dict())
    pop["Population"] = pop["Population"].astype(int) * len(YEARS)
    pop["band"] = pd.cut(pop["Age"].astype(int), [b[0] - 1 for b in BANDS] + [200], labels=False)
    standard = pop.groupby(["Sex", "band"])["Population"].sum()
    weight = standard / standard.sum()

    def dsr(codes):
        d = det[det["EthnicCategory"].isin(codes)].groupby(["sex", "band"]).size()
        n = pop[pop["code"].isin(codes)].groupby(["Sex", "band"])["Population"].sum()
        d = d.reindex(n.index, fill_value=0)
        n.index.names = weight.index.names
        d.index = n.index
        rate = (weight * d / n).sum()
        variance = (weight**2 * d / n**2).sum()
        return rate, variance, int(d.sum())

    a, va, na = dsr(numerator_codes)
    b, vb, nb = dsr(reference_codes)
    ratio = a / b
    se = np.sqrt(va / a**2 + vb / b**2)
    return ratio, ratio * np.exp(-1.96 * se), ratio * np.exp(1.96 * se), na, nb


def test_detentions_counted_independently_match_the_generated_events(large_default, read):
    det = _new_detentions(read, large_default.directory)
    fy = det["start"].dt.year - (det["start"].dt.month < 4)
    counts = fy.value_counts()
    for label, by_category in large_default.truth["realised"]["detentions_by_category"].items():
        assert counts.get(int(label[:4]), 0) == sum(by_category.values()), label
    realised = large_default.truth["realised"]["detentions_by_category"]
    for category in "ABCDP":  # every NHS England detention category is exercised
        assert sum(year[category] for year in realised.values()) > 0, category


def test_black_white_british_detention_ratio_is_recovered(large_default, read):
    truth = next(d for d in large_default.truth["disparities"] if d["id"] == "detention_rate")
    expected = truth["expected"]["groups_5"]["Black or Black British"]["ratio_to_white_british"]
    assert truth["parameter"]["by_census_group"]["african"] == 3.5
    assert expected == pytest.approx(3.5, abs=0.05)  # exact but for ages 0-11 (no detentions)
    ratio, low, high, black, white_british = _standardised_ratio(
        read, large_default.directory, BLACK, {"A"})
    assert black > 100 and white_british > 1000
    assert low < expected < high
    assert ratio == pytest.approx(expected, rel=0.2)


def test_no_disparity_config_gives_a_ratio_near_one(large_no_disparity, read):
    truth = next(d for d in large_no_disparity.truth["disparities"]
                 if d["id"] == "detention_rate")
    expected = truth["expected"]["groups_5"]["Black or Black British"]["ratio_to_white_british"]
    assert expected == pytest.approx(1.0, abs=0.01)
    ratio, low, high, _, _ = _standardised_ratio(read, large_no_disparity.directory, BLACK,
                                                 {"A"})
    assert low < 1.0 < high
    assert 0.7 < ratio < 1.4


@pytest.fixture(scope="module")
def many_south_asian_referrals(tmp_path_factory):
    """The default configuration with South Asian memory referrals made eight times as
    common (Kent has few older South Asian residents), to measure their waits."""
    folder = tmp_path_factory.mktemp("memory")
    config = folder / "memory.yaml"
    config.write_text("extends: default\nname: memory_test\n"
                      "disparities:\n  access_memory:\n    by_group: {south_asian: 8.0}\n")
    return generate(folder / "out", people=20000, seed=3, defects="none", config=config)


def test_memory_assessment_waits_are_longer_for_south_asian_people(many_south_asian_referrals,
                                                                    read):
    result = many_south_asian_referrals
    directory = result.directory
    mpi = read(directory, "MHS001MPI")[["Person_ID", "EthnicCategory"]]
    referrals = read(directory, "MHS101Referral")
    teams = read(directory, "MHS102ServiceTypeReferredTo")
    diagnoses = read(directory, "MHS604PrimDiag")
    memory = teams[teams["ServTeamTypeRefToMH"] == "A17"]["UniqServReqID"]
    waits = referrals[referrals["UniqServReqID"].isin(set(memory))].merge(
        diagnoses[["UniqServReqID", "CodedDiagDate"]], on="UniqServReqID").merge(mpi,
                                                                               on="Person_ID")
    waits["days"] = (pd.to_datetime(waits["CodedDiagDate"])
                     - pd.to_datetime(waits["ReferralRequestReceivedDate"])).dt.days
    waits = waits[pd.to_datetime(waits["ReferralRequestReceivedDate"]) < "2024-04-01"]
    south_asian = waits[waits["EthnicCategory"].isin(["H", "J", "K"])]["days"]
    white_british = waits[waits["EthnicCategory"] == "A"]["days"]
    assert len(south_asian) >= 80
    truth = next(d for d in result.truth["disparities"] if d["id"] == "memory_assessment_wait")
    assert truth["expected"]["median_ratio_south_asian_to_white_british"] == 1.5
    assert white_british.median() == pytest.approx(60, rel=0.1)
    assert 1.2 < south_asian.median() / white_british.median() < 1.9
