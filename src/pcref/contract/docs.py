"""Render the data contract as the Markdown page ``docs/data-contract.md``.

The page is generated, never edited by hand: ``pcref contract-docs`` rewrites it and a test
checks the committed page matches the contract.
"""

from __future__ import annotations

from pcref import codelists
from pcref.contract import Contract, Field, Table, load_contract

TYPE_WORDS = {
    "identifier": "identifier",
    "person_id": "person identifier (pseudonymised)",
    "nhs_number": "NHS number (checked, never stored)",
    "code": "code",
    "string": "text",
    "date": "date (YYYY-MM-DD)",
    "time": "time (HH:MM[:SS])",
    "integer": "whole number",
    "decimal": "number",
}
MAX_CODES_LISTED = 25


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _allowed(field: Field) -> str:
    """What values a field accepts, in words."""
    if field.codelist:
        values = sorted(codelists.codes(field.codelist))
        shown = ", ".join(values[:MAX_CODES_LISTED])
        more = f" … ({len(values)} codes)" if len(values) > MAX_CODES_LISTED else ""
        return f"`{field.codelist}`: {shown}{more}"
    parts = []
    if field.pattern:
        parts.append(f"matches `{field.pattern}`")
    if field.minimum is not None:
        parts.append(f"≥ {field.minimum:g}")
    if field.maximum is not None:
        parts.append(f"≤ {field.maximum:g}")
    if field.references:
        parts.append(f"must exist in {field.references[0]}.{field.references[1]}")
    return "; ".join(parts)


def _table_section(table: Table) -> list[str]:
    origin = "MHSDS table" if table.mhsds else "Population, lookup or reference table"
    needed = "required" if table.required else "optional (metrics that need it are skipped)"
    lines = [
        f"## {table.name} — {table.title}",
        "",
        table.description,
        "",
        f"{origin}; file {needed}. Key: {', '.join(table.key)}.",
        "",
        "| field | type | required | allowed values | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for field in table.fields.values():
        meaning = field.description + (" *(local field, not in MHSDS)*" if field.local else "")
        if field.references and field.codelist:
            meaning += f" Must exist in {field.references[0]}.{field.references[1]}."
        lines.append(
            f"| `{field.name}` | {TYPE_WORDS[field.type]} | {'yes' if field.required else 'no'} "
            f"| {_cell(_allowed(field))} | {_cell(meaning)} |"
        )
    if table.rules:
        lines += ["", "Row rules:", ""]
        lines += [f"- {rule.description} ({', '.join(rule.fields)})" for rule in table.rules]
    return [*lines, ""]


def render(contract: Contract | None = None) -> str:
    """The whole data-contract page as Markdown."""
    contract = contract or load_contract()
    lines = [
        "# Data contract",
        "",
        "<!-- Generated from src/pcref/contract/mhsds.yaml by `pcref contract-docs`. "
        "Do not edit by hand. -->",
        "",
        f"Contract version {contract.version}.",
        "",
        "A trust supplies one file per table, named by the table (`MHS001MPI.csv` or "
        "`MHS001MPI.parquet`), with the columns below as the header. Field names are MHSDS's "
        "own. Codes are NHS Data Dictionary codes, compared as text (`02`, not `2`); the code "
        "lists, their versions and sources are in [code-lists.md](code-lists.md). Person "
        "identifiers are replaced by a keyed hash on ingest and NHS numbers are never stored.",
        "",
        "| table | title | file |",
        "| --- | --- | --- |",
    ]
    for table in contract.tables.values():
        anchor = f"{table.name}--{table.title}".lower()
        anchor = "".join(c for c in anchor.replace(" ", "-") if c.isalnum() or c in "-_")
        needed = "required" if table.required else "optional"
        lines.append(f"| [{table.name}](#{anchor}) | {table.title} | {needed} |")
    lines.append("")
    for table in contract.tables.values():
        lines += _table_section(table)
    return "\n".join(lines).rstrip() + "\n"
