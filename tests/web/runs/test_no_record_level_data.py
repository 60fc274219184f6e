"""The app database never holds record-level data (DESIGN §3): no table of any installed app,
and no table in the database at all, has a column named like a person or record identifier;
a loaded run's figures always describe a group, never a person; and loading brings in no
column the results contract does not define.

The identifier names come from the data contract itself (every person, NHS number, birth
date, LSOA and record-key field of an MHSDS table), plus the generic names such data goes by.
"""

from __future__ import annotations

import re

import duckdb
import pytest
from django.apps import apps
from django.db import connection

from pcref.contract import load_contract
from pcref.metrics.breakdowns import BREAKDOWNS, CROSS_SEPARATOR
from pcref.results.schema import RESULTS_COLUMNS
from pcref.web.dashboard.models import Figure

#: Generic names of person identifiers and quasi-identifiers, compared without case,
#: underscores or spaces; a column name containing one is flagged.
GENERIC = ("personid", "pseudonym", "nhsnumber", "dateofbirth", "birthdate", "postcode", "lsoa",
           "patientid", "localpatient", "mrn", "hospitalnumber")

TEAM_AND_WARD = ("UniqCareProfTeamID", "WardCode")


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _contract_identifiers() -> set[str]:
    """Fields of MHSDS tables that identify a person or one of their records."""
    names = set()
    for table in load_contract().tables.values():
        if not table.mhsds:
            continue
        for field in table.fields.values():
            # Team and ward codes are identifiers too, but of the groups figures are shown by.
            record_key = field.type == "identifier" and field.name not in TEAM_AND_WARD
            if field.type in ("person_id", "nhs_number") or record_key or field.name in (
                    "PersonBirthDate", "LSOA2021"):
                names.add(_normal(field.name))
    return names


IDENTIFIERS = _contract_identifiers()


def _flagged(column: str) -> bool:
    name = _normal(column)
    return name in IDENTIFIERS or any(term in name for term in GENERIC) or name == "dob"


def test_the_identifier_list_is_built_from_the_contract():
    # A guard that the contract-driven list really holds what it should.
    assert {"personid", "nhsnumber", "personbirthdate", "lsoa2021", "uniqservreqid",
            "uniqcarecontid", "uniqhospprovspellid"} <= IDENTIFIERS
    assert "uniqcareprofteamid" not in IDENTIFIERS  # teams are groups, shown by design
    assert _flagged("Person_ID") and _flagged("patient_nhs_number") and _flagged("DOB")
    assert not _flagged("group_label") and not _flagged("display_value")


def test_no_model_of_any_installed_app_has_an_identifier_column():
    offending = [
        f"{model._meta.label}.{field.column}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if _flagged(field.column) or _flagged(field.name)
    ]
    assert not offending, f"columns named like record-level identifiers: {offending}"


def test_no_table_in_the_database_has_an_identifier_column(db):
    offending = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert "dashboard_figure" in tables
        for table in tables:
            for column in connection.introspection.get_table_description(cursor, table):
                if _flagged(column.name):
                    offending.append(f"{table}.{column.name}")
    assert not offending, f"columns named like record-level identifiers: {offending}"


def test_figures_store_exactly_the_results_columns():
    stored = {field.name for field in Figure._meta.concrete_fields} - {
        "id", "run", "metric", "disclosure_policy"}
    assert stored == set(RESULTS_COLUMNS) - {"metric_id", "run_id", "disclosure_policy"}


def test_every_loaded_figure_describes_a_group_not_a_person(loaded_results_run,
                                                          results_run_folder):
    warehouse = duckdb.connect(str(results_run_folder.parent / "warehouse.duckdb"),
                               read_only=True)
    try:
        pseudonyms = {row[0] for row in warehouse.execute(
            'SELECT DISTINCT "Person_ID" FROM "MHS001MPI"').fetchall()}
    finally:
        warehouse.close()
    assert len(pseudonyms) > 1000

    rows = list(Figure.objects.filter(run=loaded_results_run).values_list(
        "breakdown", "group", "subgroup"))
    assert rows
    labels = set()
    for breakdown, group, subgroup in rows:
        parts = breakdown.split(CROSS_SEPARATOR)
        assert all(part in BREAKDOWNS for part in parts), breakdown
        assert group, f"a figure of {breakdown} has no group"
        assert (subgroup is not None) == (len(parts) == 2)
        labels |= {group, subgroup} - {None}
    assert not labels & pseudonyms, "a figure is labelled with a person's pseudonym"
    # Groups are few and shared: far fewer labels than people.
    assert len(labels) < len(pseudonyms) / 10


@pytest.mark.parametrize("column", ["Person_ID", "LSOA2021", "postcode"])
def test_a_results_file_with_a_person_column_is_refused(db, run_copy, rewrite_results, column):
    import pyarrow as pa

    from pcref.web.dashboard.loading import LoadError, load_run

    rewrite_results(run_copy, "results.parquet", lambda t: t.append_column(
        column, pa.array(["x"] * t.num_rows)))
    with pytest.raises(LoadError, match=f"unexpected column\\(s\\) {column}"):
        load_run(run_copy)
    assert not Figure.objects.exists()
