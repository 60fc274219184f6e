"""The rule catalogue: every check ingest makes, with its severity, as data.

A *fatal* rule rejects the extract: `pcref ingest` refuses to load it and the warehouse is left
as it was. A *warning* is a fact about the data worth knowing (a recording gap, an unexpected
file) that does not stop the load. ``docs/ingest.md`` documents every rule here, and a test
keeps the two in step.

Which columns each rule applies to is never listed here: the checks derive that from the data
contract (`pcref.contract`), so a field added to the contract is checked without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """Whether a rule stops the load (fatal) or is reported and loaded anyway (warning)."""

    FATAL = "fatal"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One check: a stable id (used in reports, JSON and the ingest-run record), its severity,
    which level it works at (a whole file, a column, or the values in rows) and what it checks."""

    id: str
    severity: Severity
    level: str
    description: str


_FATAL = Severity.FATAL
_WARNING = Severity.WARNING

RULES: tuple[Rule, ...] = (
    # --- files -------------------------------------------------------------------------------
    Rule("missing_table", _FATAL, "file",
         "A table the contract marks as required has no file (TABLE.csv or TABLE.parquet)."),
    Rule("duplicate_table_file", _FATAL, "file",
         "Two files claim the same table (for example MHS001MPI.csv and MHS001MPI.parquet)."),
    Rule("empty_file", _FATAL, "file",
         "The file has no bytes (or only white space), so not even a header row."),
    Rule("byte_order_mark", _FATAL, "file",
         "The file starts with a UTF-8 byte-order mark, as Excel's 'CSV UTF-8' writes. It is "
         "rejected rather than silently stripped so that the first column name is never "
         "misread; save as plain UTF-8 without the mark."),
    Rule("not_utf8", _FATAL, "file",
         "The file is not valid UTF-8 (often Windows-1252 from Excel, or UTF-16); the report "
         "gives the line and byte offset of the first invalid byte."),
    Rule("wrong_delimiter", _FATAL, "file",
         "The header is one column containing semicolons, tabs or pipes: the file is not "
         "comma-separated."),
    Rule("malformed_row", _FATAL, "file",
         "A row has more or fewer fields than the header, or an unterminated quote."),
    Rule("unreadable_parquet", _FATAL, "file",
         "A Parquet file cannot be read: truncated, corrupt or not Parquet at all."),
    Rule("missing_column", _FATAL, "column",
         "A column the contract marks as required is not in the file's header."),
    Rule("duplicate_column", _FATAL, "column",
         "The header names the same column more than once."),
    # --- values ------------------------------------------------------------------------------
    Rule("required_value_missing", _FATAL, "value",
         "A required field is blank."),
    Rule("invalid_date", _FATAL, "value",
         "A date is not an ISO 8601 calendar date YYYY-MM-DD (Excel-mangled dates such as "
         "03/04/2024, 3/4/24, serial numbers like 45123 and dates with a time are caught "
         "here), or is not a real date (2024-02-30)."),
    Rule("invalid_time", _FATAL, "value",
         "A time is not HH:MM or HH:MM:SS on the 24-hour clock."),
    Rule("invalid_integer", _FATAL, "value",
         "An integer field holds something other than a whole number."),
    Rule("invalid_decimal", _FATAL, "value",
         "A decimal field holds something other than a plain number."),
    Rule("value_out_of_range", _FATAL, "value",
         "A number is below the contract's minimum or above its maximum."),
    Rule("unknown_code", _FATAL, "value",
         "A coded field holds a value that is not in its code list (the report points out "
         "leading zeros lost by Excel, lower case and stray spaces). Lists marked incomplete "
         "in the code-list index give code_not_in_incomplete_list (a warning) instead."),
    Rule("pattern_mismatch", _FATAL, "value",
         "A text field does not match the contract's pattern (ODS code, LSOA code, ICD-10 "
         "code, ...)."),
    Rule("invalid_nhs_number", _FATAL, "value",
         "An NHS number is not 10 digits or fails the modulus-11 check digit. The report "
         "never shows NHS numbers, only the rows."),
    Rule("duplicate_key", _FATAL, "value",
         "Two or more rows share the table's key; counted as the rows that repeat an earlier "
         "row's key."),
    Rule("orphan_reference", _FATAL, "value",
         "A row refers to a record that is not in the referenced table (a contact whose "
         "person is not in MHS001MPI, a ward stay on an unknown ward, ...)."),
    Rule("dates_out_of_order", _FATAL, "value",
         "An end date is before its start date (for example a ward stay ending before it "
         "began)."),
    Rule("one_of_required_missing", _FATAL, "value",
         "None of a group of fields of which at least one is required is present (a person "
         "needs a date of birth or an age)."),
    # --- warnings ----------------------------------------------------------------------------
    Rule("unexpected_file", _WARNING, "file",
         "A file in the folder is not named after a contract table; it is ignored."),
    Rule("optional_table_missing", _WARNING, "file",
         "An optional table has no file; it is loaded as an empty table, so the metrics that "
         "need it report no data."),
    Rule("table_without_rows", _WARNING, "file",
         "A file has a header but no data rows."),
    Rule("unexpected_column", _WARNING, "column",
         "A column is not in the contract; it is not loaded."),
    Rule("optional_column_missing", _WARNING, "column",
         "An optional column is not in the header; it is loaded as all blank."),
    Rule("optional_value_missing", _WARNING, "value",
         "An optional field is blank: a recording gap, reported per column because "
         "completeness of ethnicity, language, religion and disability recording is itself a "
         "PCREF measure."),
    Rule("code_not_in_incomplete_list", _WARNING, "value",
         "A coded field holds a value that is not in its code list, and the code-list index "
         "marks that list incomplete (complete: false: it is known or suspected to lack valid "
         "codes, e.g. preferred language, source of referral), so the value may be a real "
         "code. It is loaded as sent and reported with the same hints as unknown_code "
         "(leading zeros, case, spaces); the engine treats it as no match in the list."),
    Rule("code_not_stated_or_known", _WARNING, "value",
         "A coded field holds a valid code that records a gap rather than a value: not "
         "stated (asked and declined) or not known. Ethnic category Z and 99, disability ZZ, "
         "religion M and N, and so on: the code list's unknown codes. Reported per column and "
         "code, because recording completeness is itself a PCREF measure; a data-quality "
         "fact, not an error."),
    Rule("person_without_activity", _WARNING, "value",
         "A person in the master patient index has no row in any other table (no referral, "
         "contact, admission, ...)."),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
if len(RULES_BY_ID) != len(RULES):  # pragma: no cover - guards the literal above
    raise RuntimeError("duplicate rule id in the ingest rule catalogue")


def rule(rule_id: str) -> Rule:
    """The catalogue entry for a rule id."""
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"no ingest rule {rule_id!r}") from None


def rules_markdown() -> str:
    """The catalogue as a Markdown table (docs/ingest.md embeds it; a test compares them)."""
    lines = ["| Rule | Severity | Level | What it checks |", "|---|---|---|---|"]
    for entry in RULES:
        lines.append(
            f"| `{entry.id}` | {entry.severity} | {entry.level} | {entry.description} |"
        )
    return "\n".join(lines) + "\n"
