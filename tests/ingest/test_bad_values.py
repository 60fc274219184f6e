"""Bad values: each class is rejected with a message naming the file, row, column and what was
expected, and `pcref validate` exits 1 (checked by the `rejected` fixture); warnings are
reported without rejecting. Rows are where each test put its defect (header = row 1)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pcref import codelists
from pcref.cli import app
from pcref.contract import load_contract
from pcref.ingest import validate
from pcref.ingest.checks import explain_date, row_checks
from pcref.ingest.reader import StagedTable

runner = CliRunner()


@pytest.mark.parametrize(
    ("value", "note"),
    [
        ("03/04/2024", "day/month/year"),
        ("3/4/24", "day/month/year"),
        ("45123", "Excel serial date number (45123 is 2023-07-16)"),
        ("2024-04-03 00:00:00", "a date with a time of day"),
        ("2024-02-30", "not a calendar date"),
        ("2024-4-3", None),
    ],
)
def test_excel_mangled_dates(extract, tmp_path, rejected, value, note):
    extract.tables["MHS101Referral"][1]["ReferralRequestReceivedDate"] = value
    outcome = rejected(extract.write(tmp_path), "invalid_date", file="MHS101Referral.csv",
                       column="ReferralRequestReceivedDate", row=3,
                       says=(repr(value), "expected a date as YYYY-MM-DD"))
    example_note = outcome.finding["examples"][0]["note"]
    assert example_note is None if note is None else note in example_note
    assert outcome.fatal_rules == {"invalid_date"}


def test_excel_serial_date_reads_as_the_date_excel_shows():
    # Independent anchor: Excel shows serial 45292 as 1 January 2024 (days counted from
    # 30 December 1899 once Excel's 1900 leap-year bug is allowed for).
    assert "45292 is 2024-01-01" in explain_date("45292")


@pytest.mark.parametrize(
    ("table", "column", "value", "hint"),
    [
        ("MHS001MPI", "EthnicCategory", "Q", None),
        ("MHS401MHActPeriod", "LegalStatusCode", "3", "leading zero lost"),
        ("MHS001MPI", "EthnicCategory", "a", "wrong case; 'A' is a code"),
        ("MHS001MPI", "Gender", " 1", "surrounding spaces"),
    ],
)
def test_unknown_codes(extract, tmp_path, rejected, table, column, value, hint):
    extract.tables[table][0][column] = value
    outcome = rejected(extract.write(tmp_path), "unknown_code", file=f"{table}.csv",
                       column=column, row=2, says=(repr(value), "expected a code from the"))
    note = outcome.finding["examples"][0]["note"]
    assert note is None if hint is None else hint in note


@pytest.mark.parametrize(
    ("table", "column", "value", "hint"),
    [
        ("MHS001MPI", "LanguageCodePreferred", "EN", "wrong case; 'en' is a code"),
        ("MHS001MPI", "LanguageCodePreferred", "syl", None),  # Sylheti: not in ISO 639-1
        ("MHS101Referral", "SourceOfReferralMH", "N2", None),
    ],
)
def test_codes_outside_an_incomplete_list_are_warnings(extract, tmp_path, table, column, value,
                                                       hint):
    # preferred_language and source_of_referral are marked complete: false in the code-list
    # index: a code they lack may be real, so the extract is loaded and the code reported.
    extract.tables[table][0][column] = value
    report = validate(extract.write(tmp_path))
    assert not report.fatal
    [finding] = report.findings
    assert (finding.rule.id, finding.rule.severity) == ("code_not_in_incomplete_list", "warning")
    assert (finding.column, finding.count) == (column, 1)
    example = finding.examples[0]
    assert (example.row, example.value) == (2, value)
    assert example.note == hint
    message = finding.messages()[0]
    assert message.startswith(f"{table}.csv row 2") and f"column {column}" in message
    assert "a list marked incomplete, so the value is loaded" in message


def test_only_lists_marked_incomplete_warn_on_codes_outside_them():
    code_fields = [(t, f) for t in load_contract().tables.values() for f in t.fields.values()
                   if f.type == "code"]
    incomplete = {f.name for _, f in code_fields if not codelists.info(f.codelist)["complete"]}
    # The index marks these four lists complete: false (see docs/code-lists.md).
    assert incomplete == {"LanguageCodePreferred", "SourceOfReferralMH",
                          "CommTreatOrdEndReason", "RestraintInjuryPatient"}
    for table, spec in code_fields:
        staged = StagedTable(table, None, None, frozenset(table.fields), loaded=True)
        rules = {c.rule_id for c in row_checks(staged) if c.column == spec.name}
        outside = rules & {"unknown_code", "code_not_in_incomplete_list"}
        assert outside == {"code_not_in_incomplete_list" if spec.name in incomplete
                           else "unknown_code"}, spec.name


def test_duplicate_keys_counted_as_repeats(extract, tmp_path, rejected):
    contacts = extract.tables["MHS201CareContact"]
    contacts.extend([dict(contacts[0]), dict(contacts[0])])  # rows 3 and 4 repeat row 2
    outcome = rejected(extract.write(tmp_path), "duplicate_key", file="MHS201CareContact.csv",
                       column="UniqCareContID", row=3,
                       says=("same UniqCareContID as row 2", "3 rows in all",
                             "expected one row per UniqCareContID"))
    assert outcome.finding["count"] == 2


def test_duplicate_composite_key(extract, tmp_path, rejected):
    population = extract.tables["population"]
    population.append(dict(population[0], Population="7"))
    outcome = rejected(extract.write(tmp_path), "duplicate_key", file="population.csv",
                       column="AreaCode, Census2021EthnicGroup, Sex, Age", row=3)
    assert outcome.finding["count"] == 1


@pytest.mark.parametrize(
    ("table", "column", "parent"),
    [
        ("MHS201CareContact", "Person_ID", "MHS001MPI.Person_ID"),
        ("MHS502WardStay", "WardCode", "ward.WardCode"),
        ("MHS515RestrictiveInterventType", "UniqRestrictiveIntIncID",
         "MHS505RestrictiveInterventInc.UniqRestrictiveIntIncID"),
    ],
)
def test_orphan_rows(extract, tmp_path, rejected, table, column, parent):
    extract.tables[table][0][column] = "NOBODY-99"
    outcome = rejected(extract.write(tmp_path), "orphan_reference", file=f"{table}.csv",
                       column=column, row=2, says=("'NOBODY-99'", f"not in {parent}"))
    assert outcome.finding["count"] == 1


def test_orphans_of_an_absent_optional_table(valid_dir, rejected):
    (valid_dir / "MHS505RestrictiveInterventInc.csv").unlink()
    rejected(valid_dir, "orphan_reference", file="MHS515RestrictiveInterventType.csv",
             column="UniqRestrictiveIntIncID", row=2,
             says=("there is no MHS505RestrictiveInterventInc file",))


def test_required_value_blank(extract, tmp_path, rejected):
    extract.tables["MHS401MHActPeriod"][0]["StartDateMHActLegalStatusClass"] = None
    rejected(extract.write(tmp_path), "required_value_missing", file="MHS401MHActPeriod.csv",
             column="StartDateMHActLegalStatusClass", row=2, says=("blank", "is required"))


def test_bad_nhs_number_named_by_row_but_never_shown(extract, tmp_path, rejected):
    extract.tables["MHS001MPI"][1]["NHSNumber"] = "9434765918"
    directory = extract.write(tmp_path)
    outcome = rejected(directory, "invalid_nhs_number", file="MHS001MPI.csv",
                       column="NHSNumber", row=3,
                       says=("check digit does not match", "modulus-11"))
    assert outcome.finding["examples"][0]["value"] is None
    assert "943476591" not in str(outcome.report)
    assert "943476591" not in runner.invoke(app, ["validate", str(directory)]).stdout


def test_nhs_number_with_spaces(extract, tmp_path, rejected):
    extract.tables["MHS001MPI"][0]["NHSNumber"] = "943 476 5919"
    rejected(extract.write(tmp_path), "invalid_nhs_number", file="MHS001MPI.csv",
             column="NHSNumber", row=2, says=("not 10 digits (12 characters)",))


def test_dates_out_of_order(extract, tmp_path, rejected):
    extract.tables["MHS502WardStay"][0]["EndDateWardStay"] = "2023-12-31"
    rejected(extract.write(tmp_path), "dates_out_of_order", file="MHS502WardStay.csv",
             column="EndDateWardStay", row=2,
             says=("'2023-12-31'", "StartDateWardStay is 2024-01-10",
                   "EndDateWardStay on or after StartDateWardStay"))


def test_neither_birth_date_nor_age(extract, tmp_path, rejected):
    extract.tables["MHS001MPI"][0]["PersonBirthDate"] = None
    extract.tables["MHS001MPI"][0]["AgeRepPeriodEnd"] = ""
    rejected(extract.write(tmp_path), "one_of_required_missing", file="MHS001MPI.csv",
             column="PersonBirthDate or AgeRepPeriodEnd", row=2,
             says=("at least one of PersonBirthDate, AgeRepPeriodEnd",))


@pytest.mark.parametrize(
    ("table", "column", "value", "rule_id", "expected"),
    [
        ("MHS201CareContact", "CareContTime", "24:00", "invalid_time", "HH:MM"),
        ("MHS201CareContact", "CareContTime", "9.30am", "invalid_time", "HH:MM"),
        ("population", "Population", "1,204", "invalid_integer", "whole number"),
        ("MHS001MPI", "AgeRepPeriodEnd", "45.0", "invalid_integer", "whole number"),
        ("dementia_prevalence", "Prevalence", "7%", "invalid_decimal", "a number"),
        ("population", "Age", "91", "value_out_of_range", "from 0 to 90"),
        ("dementia_prevalence", "Prevalence", "1.5", "value_out_of_range", "from 0 to 1"),
        ("population", "Population", "-3", "value_out_of_range", "at least 0"),
        ("MHS001MPI", "LSOA2021", "E0100001", "pattern_mismatch", "[EW]01[0-9]{6}"),
        ("MHS604PrimDiag", "PrimDiag", "F00.1", "pattern_mismatch", "[A-Z][0-9]{2}[0-9X]?"),
    ],
)
def test_value_format_and_range(extract, tmp_path, rejected, table, column, value, rule_id,
                                expected):
    extract.tables[table][0][column] = value
    outcome = rejected(extract.write(tmp_path), rule_id, file=f"{table}.csv", column=column,
                       row=2, says=(repr(value), expected))
    assert outcome.fatal_rules == {rule_id}


def test_many_defects_counted_with_first_examples(extract, tmp_path, rejected):
    base = extract.tables["MHS201CareContact"][0]
    extract.tables["MHS201CareContact"] = [
        dict(base, UniqCareContID=f"C{i}", AttendOrDNACode="9" if i % 3 == 0 else "5")
        for i in range(30)
    ]
    outcome = rejected(extract.write(tmp_path), "unknown_code", file="MHS201CareContact.csv",
                       column="AttendOrDNACode", row=2)
    assert outcome.finding["count"] == 10
    assert [e["row"] for e in outcome.finding["examples"]] == [2, 5, 8]


def test_recording_gaps_are_warnings_counted_per_code(extract, tmp_path):
    people = extract.tables["MHS001MPI"]
    people[0].update(EthnicCategory="Z", LanguageCodePreferred=None)
    people[1].update(EthnicCategory="99")
    people.append(dict(people[0], Person_ID="PERSON-003", EthnicCategory=""))
    report = validate(extract.write(tmp_path))
    assert not report.fatal
    found = {(f.rule.id, f.column, f.examples[0].value): f.count for f in report.findings}
    assert found == {
        ("code_not_stated_or_known", "EthnicCategory", "Z"): 1,
        ("code_not_stated_or_known", "EthnicCategory", "99"): 1,
        ("optional_value_missing", "EthnicCategory", None): 1,
        ("optional_value_missing", "LanguageCodePreferred", None): 2,
        ("person_without_activity", "Person_ID", "PERSON-003"): 1,
    }
    labels = {f.expected for f in report.findings if f.rule.id == "code_not_stated_or_known"}
    assert labels == {"a stated value (Z = Not stated)", "a stated value (99 = Not known)"}
    [no_activity] = [f for f in report.findings if f.rule.id == "person_without_activity"]
    assert [(e.row, e.value) for e in no_activity.examples] == [(4, "PERSON-003")]


def test_human_report_lists_every_fatal_message(extract, tmp_path):
    extract.tables["MHS001MPI"][0]["EthnicCategory"] = "Q"
    extract.tables["MHS201CareContact"][0]["CareContDate"] = "45123"
    extract.tables["ward"][0]["HospitalBedTypeMH"] = "1"
    directory = extract.write(tmp_path)
    report = validate(directory)
    result = runner.invoke(app, ["validate", str(directory)])
    assert result.exit_code == 1
    messages = [m for f in report.fatal_findings for m in f.messages()]
    assert len(messages) == 3
    for message in messages:
        assert f"✗ {message}" in result.stdout
    assert "REJECTED: 3 fatal problem(s) under 2 rule(s)" in result.stdout


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("dementia_prevalence", "Prevalence", "2.5e-1"),
        ("dementia_prevalence", "Prevalence", "1"),
        ("MHS201CareContact", "CareContTime", "00:00"),
        ("MHS201CareContact", "CareContTime", "23:59:59"),
        ("population", "Age", "90"),
        ("population", "Population", "0"),
        ("MHS001MPI", "PersonBirthDate", "2024-02-29"),
        ("MHS604PrimDiag", "PrimDiag", "F03X"),
        ("MHS001MPI", "NHSNumber", "4010232137"),
    ],
)
def test_boundary_values_are_accepted(extract, tmp_path, table, column, value):
    extract.tables[table][0][column] = value
    assert validate(extract.write(tmp_path)).findings == []


def test_spaces_only_is_blank(extract, tmp_path, rejected):
    extract.tables["MHS201CareContact"][0]["CareContDate"] = "   "
    extract.tables["MHS201CareContact"][0]["CareContTime"] = " "
    outcome = rejected(extract.write(tmp_path), "required_value_missing",
                       file="MHS201CareContact.csv", column="CareContDate", row=2)
    assert outcome.fatal_rules == {"required_value_missing"}
    assert outcome.report["counts_by_rule"] == {"optional_value_missing": 1,
                                                "required_value_missing": 1}
