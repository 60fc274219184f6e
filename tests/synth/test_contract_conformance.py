"""Generated extracts conform to the data contract, checked directly against the contract
file and the code lists (not through pcref.ingest): every table and column, types, codes,
patterns, required values, unique keys, resolving references and ordered dates."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from pcref import codelists
from pcref.contract import load_contract

CONTRACT = load_contract()
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _nhs_number_valid(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{10}", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(value[9])


def _bad_values(spec, values: pd.Series) -> list[str]:
    present = values.dropna()
    if spec.type == "date":
        bad = [v for v in present if not (DATE.fullmatch(v) and _is_date(v))]
    elif spec.type == "time":
        bad = [v for v in present if not TIME.fullmatch(v)]
    elif spec.type == "integer":
        bad = [v for v in present if not re.fullmatch(r"-?[0-9]+", v)
               or (spec.minimum is not None and int(v) < spec.minimum)
               or (spec.maximum is not None and int(v) > spec.maximum)]
    elif spec.type == "decimal":
        bad = [v for v in present if not (spec.minimum or 0) <= float(v) <= (spec.maximum or 1e18)]
    elif spec.type == "code":
        valid = codelists.codes(spec.codelist)
        bad = [v for v in present if v not in valid]
    elif spec.type == "nhs_number":
        bad = [v for v in present if not _nhs_number_valid(v)]
    else:
        bad = [v for v in present if not v.strip()]
    if spec.pattern:
        pattern = re.compile(spec.pattern)
        bad += [v for v in present if not pattern.fullmatch(v)]
    return bad


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module", params=["clean_extract", "realistic_extract"])
def extract(request, read):
    result = request.getfixturevalue(request.param)
    tables = {name: read(result.directory, name) for name in CONTRACT.tables}
    return request.param, result, tables


def test_every_contract_table_and_column_is_written(extract):
    _, result, tables = extract
    files = {p.stem for p in result.directory.iterdir() if p.suffix in (".parquet", ".csv")}
    assert files == set(CONTRACT.tables)
    for name, table in CONTRACT.tables.items():
        assert list(tables[name].columns) == table.columns, name
        assert len(tables[name]) == result.rows[name], name
    for name in ("MHS001MPI", "MHS101Referral", "MHS201CareContact", "MHS401MHActPeriod",
                 "MHS404CommTreatOrder", "MHS501HospProvSpell", "MHS502WardStay",
                 "MHS505RestrictiveInterventInc", "MHS515RestrictiveInterventType",
                 "MHS604PrimDiag", "MHS105OnwardReferral", "population", "lsoa_lookup"):
        assert len(tables[name]) > 0, f"{name} is empty"


def test_values_are_valid_for_their_types_codes_and_patterns(extract):
    _, _, tables = extract
    problems = {}
    for name, table in CONTRACT.tables.items():
        frame = tables[name]
        for column, spec in table.fields.items():
            bad = _bad_values(spec, frame[column])
            if bad:
                problems[f"{name}.{column}"] = bad[:3]
            if spec.required and frame[column].isna().any():
                problems[f"{name}.{column} (blank)"] = int(frame[column].isna().sum())
    assert not problems


def test_keys_are_unique_and_references_resolve(extract):
    _, _, tables = extract
    for name, table in CONTRACT.tables.items():
        frame = tables[name]
        assert not frame.duplicated(list(table.key)).any(), f"{name} key {table.key}"
        for column, spec in table.fields.items():
            if spec.references:
                target, target_column = spec.references
                values = frame[column].dropna()
                missing = ~values.isin(set(tables[target][target_column]))
                assert not missing.any(), f"{name}.{column}: {values[missing].head(3).tolist()}"


def test_row_rules_hold(extract):
    _, _, tables = extract
    for name, table in CONTRACT.tables.items():
        frame = tables[name]
        for rule in table.rules:
            if rule.kind == "date_order":
                start, end = rule.fields
                both = frame[[start, end]].dropna()
                assert (both[end] >= both[start]).all(), f"{name}: {rule.description}"
            else:
                assert frame[list(rule.fields)].notna().any(axis=1).all(), name


def test_records_belong_to_the_person_of_their_parent_row(extract):
    """Child rows carry the same person as the row they reference (referral, spell, …)."""
    _, _, t = extract
    pairs = [("MHS201CareContact", "UniqServReqID", "MHS101Referral"),
             ("MHS102ServiceTypeReferredTo", "UniqServReqID", "MHS101Referral"),
             ("MHS502WardStay", "UniqHospProvSpellID", "MHS501HospProvSpell"),
             ("MHS505RestrictiveInterventInc", "UniqWardStayID", "MHS502WardStay"),
             ("MHS404CommTreatOrder", "UniqMHActEpisodeID", "MHS401MHActPeriod")]
    for child, key, parent in pairs:
        joined = t[child][[key, "Person_ID"]].merge(t[parent][[key, "Person_ID"]], on=key)
        assert (joined["Person_ID_x"] == joined["Person_ID_y"]).all(), child


def test_clean_extract_has_no_recording_gaps(clean_extract, read):
    mpi = read(clean_extract.directory, "MHS001MPI")
    assert mpi["EthnicCategory"].notna().all()
    assert not mpi["EthnicCategory"].isin(["Z", "99"]).any()
    assert mpi["PersonBirthDate"].notna().all()
    assert clean_extract.defects.total() == 0


def test_realistic_extract_has_recording_gaps_but_no_invalid_values(realistic_extract, read):
    mpi = read(realistic_extract.directory, "MHS001MPI")
    unknown = mpi["EthnicCategory"].isna() | mpi["EthnicCategory"].isin(["Z", "99"])
    assert 0.04 < unknown.mean() < 0.25
    assert mpi["AgeRepPeriodEnd"].notna().any()  # some people have an age but no birth date


def test_nhs_numbers_come_from_the_test_range_only(clean_extract, read):
    numbers = read(clean_extract.directory, "MHS001MPI")["NHSNumber"].dropna()
    assert len(numbers) > 0
    assert numbers.str.startswith("999").all()
    assert numbers.map(_nhs_number_valid).all()
    assert numbers.is_unique


def test_span_covers_three_financial_years_of_monthly_activity(clean_extract, read):
    contacts = read(clean_extract.directory, "MHS201CareContact")["CareContDate"]
    months = pd.to_datetime(contacts).dt.to_period("M")
    assert months.min() == pd.Period("2022-04") and months.max() == pd.Period("2025-03")
    assert months.nunique() == 36
    episodes = read(clean_extract.directory, "MHS401MHActPeriod")
    detentions = episodes[episodes["LegalStatusCode"].isin(["02", "03"])]
    per_month = pd.to_datetime(detentions["StartDateMHActLegalStatusClass"]).dt.to_period("M")
    in_span = per_month[(per_month >= pd.Period("2022-04")) & (per_month <= pd.Period("2025-03"))]
    assert in_span.nunique() >= 30  # monthly points for trends and SPC, even at this size
