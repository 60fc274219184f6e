"""The data contract: which tables and fields the platform reads, their types and code lists.

`mhsds.yaml` beside this module is the single source of truth. Ingest validates against it,
the synthetic-data generator writes to it and ``docs/data-contract.md`` is rendered from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

FIELD_TYPES = frozenset(
    {"identifier", "person_id", "nhs_number", "code", "string"}
    | {"date", "time", "integer", "decimal"}
)
RULE_KINDS = frozenset({"date_order", "one_of_required"})
#: The warehouse (DuckDB) column type of each field type. NHS numbers are validated on ingest
#: and never stored, so they have no warehouse type.
WAREHOUSE_TYPES = {
    "identifier": "VARCHAR",
    "person_id": "VARCHAR",
    "code": "VARCHAR",
    "string": "VARCHAR",
    "date": "DATE",
    "time": "TIME",
    "integer": "INTEGER",
    "decimal": "DOUBLE",
}


@dataclass(frozen=True)
class Field:
    """One column of a contract table."""

    name: str
    type: str
    required: bool
    description: str
    codelist: str | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    references: tuple[str, str] | None = None
    local: bool = False

    @property
    def regex(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern else None


@dataclass(frozen=True)
class Rule:
    """A check across fields of one row: two dates in order, or one of several fields present."""

    kind: str
    description: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One table of the contract: an MHSDS table or a population / lookup table."""

    name: str
    title: str
    description: str
    mhsds: bool
    required: bool
    key: tuple[str, ...]
    fields: dict[str, Field]
    rules: tuple[Rule, ...]

    @property
    def columns(self) -> list[str]:
        return list(self.fields)

    @property
    def person_id_fields(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.type == "person_id"]

    @property
    def warehouse_columns(self) -> dict[str, str]:
        """The columns this table has in the warehouse, with their DuckDB types."""
        stored = (f for f in self.fields.values() if f.type in WAREHOUSE_TYPES)
        return {f.name: WAREHOUSE_TYPES[f.type] for f in stored}


@dataclass(frozen=True)
class Contract:
    version: str
    tables: dict[str, Table]

    def __getitem__(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r} in the data contract") from None


def _parse_field(table: str, name: str, spec: dict) -> Field:
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        raise ValueError(f"contract {table}.{name}: unknown type {kind!r}")
    if (kind == "code") != ("codelist" in spec):
        raise ValueError(f"contract {table}.{name}: a code field needs a codelist, and only it")
    references = None
    if "references" in spec:
        ref_table, ref_field = spec["references"].split(".")
        references = (ref_table, ref_field)
    return Field(
        name=name,
        type=kind,
        required=bool(spec["required"]),
        description=spec["description"],
        codelist=spec.get("codelist"),
        pattern=spec.get("pattern"),
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        references=references,
        local=bool(spec.get("local", False)),
    )


def _parse_rule(table: str, spec: dict) -> Rule:
    kind = spec["kind"]
    if kind not in RULE_KINDS:
        raise ValueError(f"contract {table}: unknown rule kind {kind!r}")
    fields = (spec["start"], spec["end"]) if kind == "date_order" else tuple(spec["fields"])
    return Rule(kind=kind, description=spec["description"], fields=fields)


@cache
def load_contract() -> Contract:
    """Read and check the contract shipped with the package."""
    text = resources.files(__package__).joinpath("mhsds.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    tables = {}
    for name, spec in raw["tables"].items():
        fields = {f: _parse_field(name, f, s) for f, s in spec["fields"].items()}
        rules = tuple(_parse_rule(name, r) for r in spec.get("rules", []))
        key = tuple(spec["key"])
        for column in key + tuple(c for r in rules for c in r.fields):
            if column not in fields:
                raise ValueError(f"contract {name}: key or rule names unknown field {column!r}")
        tables[name] = Table(
            name=name,
            title=spec["title"],
            description=" ".join(spec["description"].split()),
            mhsds=bool(spec["mhsds"]),
            required=bool(spec["required"]),
            key=key,
            fields=fields,
            rules=rules,
        )
    for table in tables.values():
        for field in table.fields.values():
            if field.references:
                ref_table, ref_field = field.references
                if ref_table not in tables or ref_field not in tables[ref_table].fields:
                    raise ValueError(
                        f"contract {table.name}.{field.name}: "
                        f"references unknown {ref_table}.{ref_field}"
                    )
    return Contract(version=str(raw["version"]), tables=tables)
