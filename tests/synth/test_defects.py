"""The defect injector changes exactly the rows it reports, class by class."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pcref import codelists
from pcref.contract import load_contract
from pcref.synth.defects import inject_defects

CONTRACT = load_contract()


@pytest.fixture(scope="module")
def clean_tables(clean_extract):
    return {name: pq.read_table(clean_extract.directory / f"{name}.parquet")
            for name in CONTRACT.tables}


@pytest.fixture(scope="module")
def injected(clean_tables):
    copy = dict(clean_tables)
    tables, counts = inject_defects(copy, "all", seed=123)
    return tables, counts.to_dict()


def _column(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_pylist(), dtype=object)


def test_none_changes_nothing(clean_tables):
    tables, counts = inject_defects(dict(clean_tables), "none", seed=1)
    assert counts.to_dict() == {}
    for name, table in clean_tables.items():
        assert tables[name].equals(table)


def test_unknown_level_is_refused(clean_tables):
    with pytest.raises(ValueError, match="defects level"):
        inject_defects(clean_tables, "some", seed=1)


def test_input_tables_are_not_modified(clean_extract):
    originals = {name: pq.read_table(clean_extract.directory / f"{name}.parquet")
                 for name in ("MHS001MPI", "MHS201CareContact", "MHS011SocPerCircumstances")}
    given = dict(originals)
    tables, counts = inject_defects(given, "all", seed=5)
    assert counts.total() > 0
    assert given.keys() == originals.keys()
    for name, table in originals.items():
        assert table.equals(pq.read_table(clean_extract.directory / f"{name}.parquet"))
        assert not tables[name].equals(table)


def test_invalid_codes_are_counted_exactly(clean_tables, injected):
    tables, counts = injected
    found = {}
    for name, table in CONTRACT.tables.items():
        for column, spec in table.fields.items():
            if spec.type != "code":
                continue
            values = _column(tables[name], column)
            valid = codelists.codes(spec.codelist)
            bad = sum(1 for v in values if v is not None and v not in valid)
            if bad:
                found[f"{name}.{column}"] = bad
    assert found == counts["invalid_code"]
    assert len(found) >= 5


def test_dates_out_of_order_are_counted_exactly(injected):
    tables, counts = injected
    found = {}
    for name, table in CONTRACT.tables.items():
        for rule in table.rules:
            if rule.kind != "date_order":
                continue
            start, end = (_column(tables[name], c) for c in rule.fields)
            bad = sum(1 for s, e in zip(start, end, strict=True)
                      if s is not None and e is not None and e < s)
            if bad:
                found[f"{name}.{rule.fields[1]}"] = bad
    assert found == counts["end_before_start"]


def test_duplicate_keys_are_counted_exactly(clean_tables, injected):
    tables, counts = injected
    found = {}
    for name, table in CONTRACT.tables.items():
        keys = list(zip(*(_column(tables[name], k) for k in table.key), strict=True))
        extra = len(keys) - len(set(keys))
        if extra:
            found[f"{name}.{','.join(table.key)}"] = extra
    assert found == counts["duplicate_key"]
    for where, added in found.items():
        name = where.split(".")[0]
        assert tables[name].num_rows == clean_tables[name].num_rows + added


def test_orphan_rows_and_missing_required_values_are_counted_exactly(injected):
    tables, counts = injected
    orphans, missing = {}, {}
    for name, table in CONTRACT.tables.items():
        for column, spec in table.fields.items():
            values = _column(tables[name], column)
            if spec.required:
                blank = sum(1 for v in values if v is None)
                if blank:
                    missing[f"{name}.{column}"] = blank
            if spec.references:
                target, target_column = spec.references
                known = set(_column(tables[target], target_column))
                unresolved = sum(1 for v in values if v is not None and v not in known)
                if unresolved:
                    orphans[f"{name}.{column}"] = unresolved
    assert orphans == counts["orphan_row"]
    assert missing == counts["missing_required"]


def test_recording_gaps_are_counted_exactly(clean_tables, injected):
    tables, counts = injected
    mpi = _column(tables["MHS001MPI"], "EthnicCategory")
    original = len(_column(clean_tables["MHS001MPI"], "EthnicCategory"))
    assert counts["not_stated"]["MHS001MPI.EthnicCategory"] == (mpi == "Z").sum()
    assert counts["not_known"]["MHS001MPI.EthnicCategory"] == (mpi == "99").sum()
    # the injected duplicate MPI rows copy untouched rows, so blanks are only the injected ones
    assert counts["blank"]["MHS001MPI.EthnicCategory"] == sum(v is None for v in mpi)
    for name in ("MHS007DisabilityType", "MHS011SocPerCircumstances"):
        removed = clean_tables[name].num_rows - tables[name].num_rows
        assert counts["no_record"][f"{name}.*"] == removed > 0
    birth = _column(tables["MHS001MPI"], "PersonBirthDate")
    age = _column(tables["MHS001MPI"], "AgeRepPeriodEnd")
    only_age = sum(b is None and a is not None for b, a in zip(birth, age, strict=True))
    assert counts["age_without_birth_date"]["MHS001MPI.PersonBirthDate"] == only_age
    assert original > 0


def test_ethnicity_recording_varies_by_team(realistic_extract, read):
    """Recording gaps follow the team of a person's first referral: crisis, liaison and
    single-point-of-access teams record ethnicity worse than memory services."""
    directory = realistic_extract.directory
    mpi = read(directory, "MHS001MPI")
    referrals = read(directory, "MHS101Referral")
    teams = read(directory, "MHS102ServiceTypeReferredTo")
    first = (referrals.sort_values("ReferralRequestReceivedDate")
             .drop_duplicates("Person_ID")[["Person_ID", "UniqServReqID"]]
             .merge(teams[["UniqServReqID", "ServTeamTypeRefToMH"]], on="UniqServReqID"))
    people = mpi.merge(first, on="Person_ID")
    people["unknown"] = people["EthnicCategory"].isna() | people["EthnicCategory"].isin(
        ["Z", "99"])
    rate = people.groupby("ServTeamTypeRefToMH")["unknown"].mean()
    assert rate[["A02", "A11", "A18"]].mean() > 1.5 * rate["A17"]
