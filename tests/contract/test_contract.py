"""The contract file is internally consistent, so validation, synthesis and docs can trust it."""

from pathlib import Path

import pytest

from pcref import codelists
from pcref.contract import load_contract
from pcref.contract.docs import render

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT = load_contract()


def test_contract_holds_the_design_tables():
    # DESIGN.md §5 names these MHSDS tables; the contract must carry every one of them.
    design_tables = {
        "MHS001MPI", "MHS007DisabilityType", "MHS011SocPerCircumstances", "MHS101Referral",
        "MHS102ServiceTypeReferredTo", "MHS201CareContact", "MHS401MHActPeriod",
        "MHS404CommTreatOrder", "MHS501HospProvSpell", "MHS502WardStay",
        "MHS505RestrictiveInterventInc", "MHS515RestrictiveInterventType", "MHS604PrimDiag",
        "population", "dementia_prevalence",
    }
    assert design_tables <= set(CONTRACT.tables)


@pytest.mark.parametrize("table", CONTRACT.tables.values(), ids=lambda t: t.name)
def test_references_point_at_the_key_of_their_table(table):
    for field in table.fields.values():
        if field.references:
            target, column = field.references
            assert column in CONTRACT[target].key, f"{table.name}.{field.name}"
            assert CONTRACT[target].fields[column].type == field.type


@pytest.mark.parametrize("table", CONTRACT.tables.values(), ids=lambda t: t.name)
def test_person_identifiers_link_to_the_master_patient_index(table):
    for name in table.person_id_fields:
        if table.name != "MHS001MPI":
            assert table.fields[name].references == ("MHS001MPI", "Person_ID")


@pytest.mark.parametrize("table", CONTRACT.tables.values(), ids=lambda t: t.name)
def test_every_code_field_names_a_shipped_code_list(table):
    for field in table.fields.values():
        if field.codelist:
            assert codelists.codes(field.codelist), f"{table.name}.{field.name}"


def test_date_order_rules_compare_dates():
    for table in CONTRACT.tables.values():
        for rule in table.rules:
            if rule.kind == "date_order":
                assert {table.fields[f].type for f in rule.fields} == {"date"}


def test_unknown_table_is_a_clear_error():
    with pytest.raises(KeyError, match="no table 'MHS999' in the data contract"):
        CONTRACT["MHS999"]


def test_committed_docs_page_matches_the_contract():
    committed = (REPO_ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert committed == render(), "run `pcref contract-docs` to regenerate docs/data-contract.md"
