"""The shipped code list files: structure, allowed values and spot checks against the notes.

The structural checks read the CSV files with the standard ``csv`` module, independently
of the loader under test. Expected code sets are written out by hand from the sources in
``shared/notes`` (pcref-requirements.md §2, mha-detention-categories.md) so that an edit to
a data file that drops or adds a code fails here.
"""

from __future__ import annotations

import csv
import re
from importlib import resources

import pandas as pd
import pytest
import yaml

from pcref import codelists

DATA = resources.files("pcref.codelists").joinpath("data")


def _raw_index() -> dict:
    return yaml.safe_load(DATA.joinpath("index.yaml").read_text(encoding="utf-8"))


def _raw_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = DATA.joinpath(f"{name}.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    return list(reader.fieldnames or []), list(reader)


def _where(name: str, column: str, value: str = "Y") -> set[str]:
    df = codelists.load(name)
    return set(df.loc[df[column] == value, "code"])


def _column(name: str, column: str) -> dict[str, object]:
    df = codelists.load(name)
    return dict(zip(df["code"], df[column], strict=True))


def _labels(name: str) -> dict[str, object]:
    return _column(name, "label")


def _range(start: int, stop: int, width: int = 2) -> set[str]:
    return {str(i).zfill(width) for i in range(start, stop + 1)}


# --- the index and the files -------------------------------------------------------------


def test_index_lists_exactly_the_data_files():
    csv_stems = {
        entry.name.removesuffix(".csv") for entry in DATA.iterdir() if entry.name.endswith(".csv")
    }
    indexed = [entry["name"] for entry in _raw_index()["lists"]]
    assert len(indexed) == len(set(indexed)), "a list appears twice in index.yaml"
    assert set(indexed) == csv_stems
    assert codelists.names() == indexed


def test_the_lists_other_modules_are_built_against_exist():
    expected = {
        "ethnic_category",
        "census2021_ethnic_group",
        "mha_legal_status",
        "restrictive_intervention_type",
        "restrictive_intervention_reason",
        "disability",
        "religion_group",
        "referral_reason",
        "source_of_referral",
        "team_type",
        "person_stated_gender",
        "gender_identity",
        "gender_same_at_birth",
        "preferred_language",
        "interpreter_required",
        "admission_method",
        "discharge_destination",
        "attendance",
        "cto_end_reason",
        "hospital_bed_type",
        "diagnosis_dementia",
    }
    assert expected <= set(codelists.names())


@pytest.mark.parametrize("entry", _raw_index()["lists"], ids=lambda e: e["name"])
def test_index_entry_is_complete(entry):
    for key in ("title", "version", "description"):
        assert isinstance(entry[key], str) and entry[key].strip(), key
    assert re.match(r"https?://\S+", entry["source"]), entry["source"]
    for flag in ("verified", "complete", "local"):
        assert isinstance(entry[flag], bool), flag
    assert isinstance(entry["unknown_codes"], list)
    assert all(isinstance(c, str) for c in entry["unknown_codes"]), "unknown codes must be quoted"
    if not entry["verified"] or not entry["complete"]:
        assert entry.get("notes", "").strip(), "an unverified or incomplete list must say why"


@pytest.mark.parametrize("name", codelists.names())
def test_file_structure(name):
    header, rows = _raw_rows(name)
    assert header[:2] == ["code", "label"]
    assert rows, "empty list"
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicated code"
    assert all(c and c == c.strip() for c in codes)
    assert all(r["label"].strip() for r in rows), "blank label"
    entry = codelists.info(name)
    assert header[2:] == list(entry["columns"] or {})
    assert set(entry["unknown_codes"]) <= set(codes)


@pytest.mark.parametrize("name", codelists.names())
def test_mapping_columns_only_take_allowed_values(name):
    _, rows = _raw_rows(name)
    for column, spec in (codelists.info(name)["columns"] or {}).items():
        allowed = spec.get("values")
        if allowed is None:  # free text, e.g. short labels: must not be blank
            assert all(r[column].strip() for r in rows), column
            continue
        used = {r[column] for r in rows} - {""}
        assert used <= set(allowed), (column, used - set(allowed))
        if allowed == ["Y"]:
            assert used == {"Y"}, f"flag column {column} marks no code"


@pytest.mark.parametrize("name", codelists.names())
def test_load_matches_the_file(name):
    _, rows = _raw_rows(name)
    df = codelists.load(name)
    assert df["code"].tolist() == [r["code"] for r in rows]
    assert df["label"].tolist() == [r["label"] for r in rows]
    assert all(isinstance(dtype, pd.StringDtype) for dtype in df.dtypes)
    for column in df.columns[2:]:
        blanks = [r[column] == "" for r in rows]
        assert df[column].isna().tolist() == blanks


# --- ethnicity ------------------------------------------------------------------------------


def test_ethnic_category_codes_and_groups():
    national = set("ABCDEFGHJKLMNPRS")
    assert codelists.codes("ethnic_category") == national | {"Z", "99"}
    group = _column("ethnic_category", "ethnic_group_5")
    expected = {
        "White": "ABC",
        "Mixed": "DEFG",
        "Asian or Asian British": "HJKL",
        "Black or Black British": "MNP",
        "Other Ethnic Groups": "RS",
    }
    for name, letters in expected.items():
        assert {code for code in national if group[code] == name} == set(letters)
    assert group["N"] == "Black or Black British"
    assert pd.isna(group["Z"]) and pd.isna(group["99"])
    assert codelists.info("ethnic_category")["unknown_codes"] == ["Z", "99"]


def test_census2021_groups_differ_from_nhs_groups_only_for_chinese():
    df = codelists.load("ethnic_category").set_index("code")
    census_asian = set(df.index[df["ethnic_group_5_census2021"].str.startswith("Asian", na=False)])
    assert census_asian == set("HJKLR")
    assert df.loc["R", "ethnic_group_5"] == "Other Ethnic Groups"
    assert df.loc["S", "ethnic_group_5_census2021"] == "Other ethnic group"


def test_census2021_ethnic_group_mapping():
    df = codelists.load("census2021_ethnic_group").set_index("code")
    assert set(df.index) == {str(i) for i in range(1, 20)}
    arab = df.loc["18"]
    assert "Arab" in arab["label"]
    assert pd.isna(arab["nhs_ethnic_category"])
    assert arab["ethnic_group_5"] == "Other Ethnic Groups"
    for code in ("15", "16"):  # Gypsy or Irish Traveller, Roma
        assert pd.isna(df.loc[code, "nhs_ethnic_category"])
        assert df.loc[code, "ethnic_group_5"] == "White"
    assert df.loc["2", "nhs_ethnic_category"] == "R"  # Chinese
    assert df.loc["13", "nhs_ethnic_category"] == "A"
    assert df.loc["1", "nhs_ethnic_category"] == "K"  # Bangladeshi


def test_census_groups_cover_every_national_ethnic_code_once():
    mapped = codelists.load("census2021_ethnic_group")["nhs_ethnic_category"].dropna().tolist()
    assert sorted(mapped) == sorted("ABCDEFGHJKLMNPRS")


def test_census_and_nhs_lists_agree_on_the_five_groups():
    census = codelists.load("census2021_ethnic_group").dropna(subset=["nhs_ethnic_category"])
    via_nhs = codelists.map_codes(
        "ethnic_category", census["nhs_ethnic_category"], to="ethnic_group_5"
    )
    assert via_nhs.tolist() == census["ethnic_group_5"].tolist()
    via_census_col = codelists.map_codes(
        "ethnic_category", census["nhs_ethnic_category"], to="ethnic_group_5_census2021"
    )
    assert via_census_col.tolist() == census["census_group_5"].tolist()


# --- Mental Health Act ---------------------------------------------------------------------


def test_mha_legal_status_codes():
    expected = _range(1, 10) | _range(12, 20) | {"31", "32"} | _range(35, 38) | {"98", "99"}
    assert codelists.codes("mha_legal_status") == expected
    assert "11" not in codelists.codes("mha_legal_status")
    assert set(codelists.info("mha_legal_status")["unknown_codes"]) == {"98", "99"}


def test_detention_codes_are_those_the_nhse_rules_can_count():
    # mha-detention-categories.md §4.1: codes in rules A, B, C (02, 03), D (03, 09, 10, 15, 16)
    # and P (07-10, 12-18, 31, 32, 34); 34 is not a DD code.
    rules = {"02", "03"} | {"03", "09", "10", "15", "16"}
    rules |= {"07", "08", "09", "10", "12", "13", "14", "15", "16", "17", "18", "31", "32"}
    assert _where("mha_legal_status", "detention_code") == rules


def test_length_of_detention_codes_follow_the_nhse_method():
    # mha-detention-categories.md §7 step 1: 02-10, 12-20, 31, 32, 35-38.
    expected = _range(2, 10) | _range(12, 20) | {"31", "32"} | _range(35, 38)
    assert _where("mha_legal_status", "length_of_detention_code") == expected


def test_short_term_orders_and_places_of_safety():
    assert _where("mha_legal_status", "place_of_safety") == {"19", "20"}
    assert _where("mha_legal_status", "short_term_order") == {"04", "05", "06", "19", "20"}
    assert _where("mha_legal_status", "nhse_group", "STO") == {"04", "05", "06", "19", "20"}
    assert _where("mha_legal_status", "nhse_group", "Section 3") == {"03"}


def test_cto_end_reason_revoked_is_02_and_list_is_marked_incomplete():
    assert _where("cto_end_reason", "revoked") == {"02"}
    entry = codelists.info("cto_end_reason")
    assert entry["complete"] is False and entry["verified"] is False


def test_admission_method():
    codes = codelists.codes("admission_method")
    assert {"11", "12", "13", "2A", "2B", "2C", "2D", "81", "98", "99"} <= codes
    assert "28" not in codes  # the DD says 28 is not valid in MHSDS
    assert "28" in codelists.info("admission_method")["excluded_codes"]
    assert _where("admission_method", "admission_type", "transfer") == {"81"}


def test_discharge_destination_has_the_codes_the_transfer_rule_uses():
    codes = codelists.codes("discharge_destination")
    assert {"49", "50", "51", "52", "53", "87"} <= codes
    assert _labels("discharge_destination")["79"].startswith("Not applicable - Patient died")


# --- restrictive interventions ---------------------------------------------------------------


def test_restrictive_intervention_type():
    assert codelists.codes("restrictive_intervention_type") == {"01"} | _range(4, 17)
    pcref = _column("restrictive_intervention_type", "pcref_type")
    assert pcref["14"] == "rapid_tranquillisation"
    assert pcref["01"] == "prone_restraint"
    assert {c for c, t in pcref.items() if t == "other_physical_restraint"} == _range(7, 13)
    assert {c for c, t in pcref.items() if t == "other_chemical_restraint"} == _range(15, 17)
    assert (pcref["04"], pcref["05"], pcref["06"]) == (
        "mechanical_restraint",
        "seclusion",
        "segregation",
    )
    assert _where("restrictive_intervention_type", "intervention_class", "Physical") == (
        {"01"} | _range(7, 13)
    )


def test_restrictive_intervention_reason():
    assert codelists.codes("restrictive_intervention_reason") == _range(10, 19) | {"98", "99"}
    assert codelists.info("restrictive_intervention_reason")["unknown_codes"] == ["99"]


# --- protected characteristics --------------------------------------------------------------


def test_disability_religion_and_gender_code_sets():
    assert codelists.codes("disability") == _range(1, 10) | {"XX", "NN", "ZZ"}
    assert codelists.codes("religion_group") == set("ABCDEFGHIJKLMN")
    assert set(codelists.info("religion_group")["unknown_codes"]) == {"M", "N"}
    assert codelists.codes("person_stated_gender") == {"1", "2", "9", "X"}
    assert codelists.codes("gender_identity") == {"1", "2", "3", "4", "X", "Z"}
    assert codelists.codes("gender_same_at_birth") == {"Y", "N", "X", "Z"}
    assert _labels("gender_identity")["3"] == "Non-binary"


def test_preferred_language():
    codes = codelists.codes("preferred_language")
    assert all(re.fullmatch(r"[a-z]{2}|q[1-5]", c) for c in codes)
    kent_and_medway = {
        "en", "pl", "ro", "lt", "pa", "ur", "bn", "gu", "ne", "tr", "ku", "ar", "fa", "ps",
        "ti", "so", "pt", "es", "ru", "bg", "zh", "ta", "hi", "uk", "sq", "q4",
    }  # fmt: skip
    assert kent_and_medway <= codes
    assert _where("preferred_language", "english") == {"en"}
    assert _labels("preferred_language")["q4"] == "British Sign Language"
    assert "q4" in _where("preferred_language", "sign_language")


def test_interpreter_required_is_a_local_list():
    entry = codelists.info("interpreter_required")
    assert entry["local"] is True
    assert codelists.codes("interpreter_required") == {"Y", "N", "Z"}
    assert entry["unknown_codes"] == ["Z"]


# --- referrals, teams, contacts, wards ---------------------------------------------------------


def test_referral_reason():
    assert codelists.codes("referral_reason") == _range(1, 31) - {"17"}
    assert codelists.label("referral_reason", "25") == "Suspected Autism"
    assert _where("referral_reason", "neurodevelopmental") == {"24", "25", "26"}
    assert _where("referral_reason", "autism") == {"25", "26"}
    assert _where("referral_reason", "memory_assessment") == {"08"}
    assert codelists.label("referral_reason", "08") == "Organic brain disorder"


def test_source_of_referral_justice_flags():
    assert _where("source_of_referral", "police") == {"E1"}
    assert _where("source_of_referral", "justice_system") == {f"E{i}" for i in range(1, 7)}
    assert "Police" in codelists.label("source_of_referral", "E1")
    assert codelists.info("source_of_referral")["complete"] is False


def test_team_type_service_areas():
    codes = codelists.codes("team_type")
    assert all(re.fullmatch(r"[A-FZ]\d\d", c) for c in codes)
    assert {"A03", "A04", "F04"}.isdisjoint(codes)  # retired before MHSDS v6
    area = _column("team_type", "service_area")
    assert area["C04"] == "neurodevelopmental"
    assert area["C01"] == "neurodevelopmental"
    assert area["A17"] == "memory"
    assert area["A02"] == "crisis"
    assert area["B01"] == "forensic"
    assert area["C02"] == "perinatal"
    assert codelists.label("team_type", "A18") == "Single Point of Access Service"
    assert codelists.label("team_type", "C04") == "Neurodevelopment Team"


def test_attendance():
    assert codelists.codes("attendance") == {"2", "3", "4", "5", "6", "7"}
    assert _where("attendance", "attended") == {"5", "6"}
    assert _where("attendance", "did_not_attend") == {"3", "7"}


def test_hospital_bed_type_is_the_v6_list():
    assert codelists.codes("hospital_bed_type") == _range(200, 213, 3) | _range(300, 311, 3)
    assert _where("hospital_bed_type", "service_area", "children_and_young_people") == _range(
        300, 311, 3
    )
    assert _where("hospital_bed_type", "service_area", "older_adult") == {"201"}
    assert set(codelists.info("hospital_bed_type")["retired_codes"]).isdisjoint(
        codelists.codes("hospital_bed_type")
    )


def test_dementia_diagnosis_prefixes():
    assert codelists.codes("diagnosis_dementia") == {"F00", "F01", "F02", "F03", "G30"}
    assert codelists.info("diagnosis_dementia")["match"] == "prefix"
