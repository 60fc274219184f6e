"""Bad files: each class is rejected with a message naming the file, the row where there is
one and what was expected, and `pcref validate` exits 1 (the `rejected` fixture checks both).

Each test starts from the valid extract of conftest.py and breaks one thing, so where the
defect is (file, row, byte offset) is known independently of the code under test.
"""

from __future__ import annotations

import duckdb
from typer.testing import CliRunner

from pcref.cli import app
from pcref.ingest import demo_key, ingest, validate

runner = CliRunner()


def test_valid_extract_has_no_findings(valid_dir):
    assert validate(valid_dir).findings == []
    result = runner.invoke(app, ["validate", str(valid_dir)])
    assert result.exit_code == 0
    assert "Valid: no problems found." in result.stdout


def test_missing_file(valid_dir, rejected):
    (valid_dir / "MHS201CareContact.csv").unlink()
    outcome = rejected(valid_dir, "missing_table", file="MHS201CareContact.csv", column=None,
                       row=None, says=("MHS201CareContact.csv or MHS201CareContact.parquet",))
    assert outcome.fatal_rules == {"missing_table"}


def test_missing_optional_file_is_a_warning(valid_dir):
    (valid_dir / "MHS404CommTreatOrder.csv").unlink()
    (valid_dir / "MHS405CommTreatOrderRecall.csv").unlink()
    report = validate(valid_dir)
    assert not report.fatal
    assert report.counts_by_rule() == {"optional_table_missing": 2}


def test_missing_column(extract, tmp_path, rejected):
    for row in extract.tables["MHS201CareContact"]:
        del row["CareContDate"]
    outcome = rejected(extract.write(tmp_path), "missing_column", file="MHS201CareContact.csv",
                       column="CareContDate", row=1, says=("not in the header",))
    assert outcome.fatal_rules == {"missing_column"}


def test_column_in_wrong_case_is_pointed_out(extract, tmp_path, rejected):
    for row in extract.tables["MHS201CareContact"]:
        row["carecontdate"] = row.pop("CareContDate")
    rejected(extract.write(tmp_path), "missing_column", file="MHS201CareContact.csv",
             column="CareContDate", row=1, says=("'carecontdate', which differs only in case",))


def test_column_with_stray_space_is_pointed_out(extract, tmp_path, rejected):
    for row in extract.tables["MHS201CareContact"]:
        row["CareContDate "] = row.pop("CareContDate")
    rejected(extract.write(tmp_path), "missing_column", file="MHS201CareContact.csv",
             column="CareContDate", row=1, says=("'CareContDate '", "case or spaces"))


def test_excel_style_csv_is_accepted(extract, tmp_path):
    # Windows line endings, quoted fields holding commas and doubled quotes, quoted header.
    extract.tables["team"][0]["TeamName"] = 'Smith, "North" team'
    directory = extract.write(tmp_path)
    for path in directory.glob("*.csv"):
        lines = path.read_text().splitlines()
        header = ",".join(f'"{name}"' for name in lines[0].split(","))
        path.write_bytes("\r\n".join([header, *lines[1:]]).encode() + b"\r\n")
    assert b'"Smith, ""North"" team"' in (directory / "team.csv").read_bytes()
    assert validate(directory).findings == []
    target = tmp_path / "w.duckdb"
    ingest(directory, target, demo_key())
    with duckdb.connect(str(target), read_only=True) as connection:
        assert connection.execute("SELECT TeamName FROM team").fetchall() == [
            ('Smith, "North" team',)]


def test_missing_optional_column_and_extra_column_are_warnings(extract, tmp_path):
    for row in extract.tables["MHS201CareContact"]:
        del row["CareContTime"]
        row["Notes"] = "free text"
    report = validate(extract.write(tmp_path))
    assert not report.fatal
    assert report.counts_by_rule() == {"optional_column_missing": 1, "unexpected_column": 1}
    assert {f.column for f in report.findings} == {"CareContTime", "Notes"}


def test_duplicate_column(valid_dir, rejected):
    path = valid_dir / "team.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",TeamName"
    lines[1] += ",Second name"
    path.write_text("\n".join(lines) + "\n")
    rejected(valid_dir, "duplicate_column", file="team.csv", column="TeamName", row=1,
             says=("each column named once",))


def test_wrong_delimiter(valid_dir, rejected):
    path = valid_dir / "MHS001MPI.csv"
    path.write_text(path.read_text().replace(",", ";"))
    rejected(valid_dir, "wrong_delimiter", file="MHS001MPI.csv", column=None, row=1,
             says=("separated by semicolons", "comma-separated"))


def test_tab_delimiter(valid_dir, rejected):
    path = valid_dir / "ward.csv"
    path.write_text(path.read_text().replace(",", "\t"))
    rejected(valid_dir, "wrong_delimiter", file="ward.csv", column=None, row=1,
             says=("separated by tabs",))


def test_non_utf8_names_line_and_byte_offset(valid_dir, rejected):
    path = valid_dir / "team.csv"
    header, row = path.read_bytes().decode().splitlines()
    fields = row.split(",")
    fields[1] = "Caf\xe9 team"  # TeamName, written the way Windows-1252 writes it
    broken = header.encode() + b"\n" + ",".join(fields).encode("cp1252") + b"\n"
    path.write_bytes(broken)
    offset = len(header) + 1 + len(fields[0]) + 1 + len("Caf")
    assert broken[offset:offset + 1] == b"\xe9"
    rejected(valid_dir, "not_utf8", file="team.csv", column=None, row=2,
             says=(f"byte offset {offset}", "0xE9", "UTF-8"))


def test_non_utf8_found_far_into_a_large_file(extract, tmp_path, rejected):
    # Beyond the first megabyte, so DuckDB (not the header check) meets it first.
    base = extract.tables["population"][0]
    extract.tables["population"] = [
        dict(base, Age=str(row % 91), AreaCode=f"E{row:08d}") for row in range(60_000)
    ]
    directory = extract.write(tmp_path)
    path = directory / "population.csv"
    lines = path.read_bytes().split(b"\n")
    lines[50_000] = lines[50_000].replace(b",", b"\xff,", 1)
    path.write_bytes(b"\n".join(lines))
    offset = sum(len(line) + 1 for line in lines[:50_000]) + lines[50_000].index(b"\xff")
    rejected(directory, "not_utf8", file="population.csv", column=None, row=50_001,
             says=(f"byte offset {offset}",))


def test_non_utf8_in_header(valid_dir, rejected):
    path = valid_dir / "ward.csv"
    path.write_bytes(path.read_bytes().replace(b"WardName", b"WardN\xe4me", 1))
    rejected(valid_dir, "not_utf8", file="ward.csv", column=None, row=1,
             says=("byte offset 14",))


def test_byte_order_mark(valid_dir, rejected):
    path = valid_dir / "MHS001MPI.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    rejected(valid_dir, "byte_order_mark", file="MHS001MPI.csv", column=None, row=1,
             says=("EF BB BF", "without a byte-order mark"))


def test_utf16_file_is_not_utf8(valid_dir, rejected):
    path = valid_dir / "ward.csv"
    path.write_bytes(path.read_text().encode("utf-16"))
    rejected(valid_dir, "not_utf8", file="ward.csv", column=None, row=1, says=("UTF-16",))


def test_empty_file(valid_dir, rejected):
    (valid_dir / "MHS101Referral.csv").write_bytes(b"")
    outcome = rejected(valid_dir, "empty_file", file="MHS101Referral.csv", column=None,
                       row=None, says=("header row",))
    # The referrals could not be read, so rows pointing at them are not also called orphans.
    assert outcome.fatal_rules == {"empty_file"}


def test_header_only_file_is_a_warning(valid_dir):
    path = valid_dir / "MHS604PrimDiag.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    report = validate(valid_dir)
    assert not report.fatal
    assert report.counts_by_rule() == {"table_without_rows": 1}


def test_row_with_too_many_fields(valid_dir, rejected):
    path = valid_dir / "ward.csv"
    path.write_text(path.read_text() + "W2,Second ward,10,Kent,surplus\n")
    rejected(valid_dir, "malformed_row", file="ward.csv", column=None, row=3,
             says=("5 fields", "4 comma-separated fields"))


def test_unterminated_quote(valid_dir, rejected):
    path = valid_dir / "ward.csv"
    path.write_text(path.read_text() + 'W2,"Second ward,10,Kent\n')
    rejected(valid_dir, "malformed_row", file="ward.csv", column=None, row=None)


def test_truncated_parquet(extract, tmp_path, rejected):
    directory = extract.write(tmp_path, file_format="parquet")
    path = directory / "MHS001MPI.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    outcome = rejected(directory, "unreadable_parquet", file="MHS001MPI.parquet", column=None,
                       row=None, says=("truncated", "a complete Parquet file"))
    assert outcome.finding["table"] == "MHS001MPI"
    assert outcome.fatal_rules == {"unreadable_parquet"}


def test_csv_renamed_to_parquet(valid_dir, rejected):
    (valid_dir / "ward.csv").rename(valid_dir / "ward.parquet")
    rejected(valid_dir, "unreadable_parquet", file="ward.parquet", column=None, row=None,
             says=("not a Parquet file",))


def test_parquet_missing_column(extract, tmp_path, rejected):
    for row in extract.tables["ward"]:
        del row["WardName"]
    rejected(extract.write(tmp_path, file_format="parquet"), "missing_column",
             file="ward.parquet", column="WardName", row=None,
             says=("not among the file's columns",))


def test_two_files_for_one_table(extract, tmp_path, rejected):
    directory = extract.write(tmp_path / "csv")
    extract.write(tmp_path / "parquet", file_format="parquet")
    (tmp_path / "parquet" / "ward.parquet").rename(directory / "ward.parquet")
    rejected(directory, "duplicate_table_file", file="ward.csv, ward.parquet", column=None,
             row=None, says=("exactly one file for ward",))


def test_unexpected_file_is_a_warning(valid_dir):
    (valid_dir / "README.txt").write_text("notes")
    (valid_dir / "MHS999Unknown.csv").write_text("a\n1\n")
    report = validate(valid_dir)
    assert not report.fatal
    assert sorted(f.file for f in report.findings) == ["MHS999Unknown.csv", "README.txt"]
    assert report.counts_by_rule() == {"unexpected_file": 2}


def test_missing_folder_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
