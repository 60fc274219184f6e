"""Build the preparation relations a metric ``requires``, through any :class:`Backend`.

Preparation relations (``src/pcref/metrics/prep/``) are readable SQL files, one relation per
file, grouped in modules that each declare ``RELATIONS`` (relation -> the relations it reads),
``sql_text(relation)`` and ``INPUT_COLUMNS`` (the contract tables and columns it reads). This
module finds every such module, orders a relation after the relations it reads, binds the
period and materialises each as a temporary relation of the same name on the backend — the
same SQL on DuckDB and, transpiled, on Spark.

A contract table a preparation module reads but that the contract marks optional
(``required: false``) and the warehouse lacks is created empty, as the module itself does on
DuckDB: the Mental Health Act classification, for instance, treats a trust without
community treatment orders as having none.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from functools import cache
from types import ModuleType

from pcref.contract import WAREHOUSE_TYPES, load_contract
from pcref.metrics.backend import Backend, sql_parameters


@cache
def modules() -> dict[str, ModuleType]:
    """Each preparation relation's module, by relation name."""
    import pcref.metrics.prep as package

    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        relations = getattr(module, "RELATIONS", None)
        if isinstance(relations, dict) and hasattr(module, "sql_text"):
            for relation in relations:
                if relation in found:
                    raise ValueError(f"preparation relation {relation!r} is defined twice")
                found[relation] = module
    return found


def relations() -> tuple[str, ...]:
    """Every preparation relation the engine can build."""
    return tuple(sorted(modules()))


def sql_text(relation: str) -> str:
    """The SQL that defines ``relation``."""
    return _module(relation).sql_text(relation)


def build_order(relation: str) -> list[str]:
    """``relation`` and every relation it reads, each after what it reads."""
    order: list[str] = []

    def visit(name: str) -> None:
        for dependency in _module(name).RELATIONS[name]:
            visit(dependency)
        if name not in order:
            order.append(name)

    visit(relation)
    return order


def input_tables(relation: str) -> tuple[str, ...]:
    """The contract tables ``relation`` (and what it reads) read, per its module."""
    tables: dict[str, None] = {}
    for name in build_order(relation):
        tables.update(dict.fromkeys(getattr(_module(name), "INPUT_COLUMNS", {})))
    return tuple(tables)


def is_parameterised(relation: str) -> bool:
    """Whether the relation's SQL depends on the period (uses ``$period_start``/``$period_end``)."""
    return bool(sql_parameters(sql_text(relation)))


def depends_on_period(relation: str) -> bool:
    """Whether the relation's rows change with the period: its own SQL uses it, or a relation
    it reads does (``mha_detentions`` has no parameter but reads ``mha_episodes_in_period``).
    Such a relation must be rebuilt for every period, never reused from an earlier one."""
    return any(is_parameterised(name) for name in build_order(relation))


def build(
    backend: Backend,
    relation: str,
    period_start: dt.date,
    period_end: dt.date,
    *,
    built: dict[str, tuple[dt.date, dt.date] | None] | None = None,
) -> None:
    """Materialise ``relation`` and what it reads on ``backend`` for the period.

    ``built`` (relation -> the period it was built for, None when it does not depend on one)
    lets a caller skip relations already built for the same period, or for any period when
    neither the relation's SQL nor any relation it reads uses one
    (:func:`depends_on_period`).
    """
    ensure_inputs(backend, relation)
    params = {"period_start": period_start, "period_end": period_end}
    for name in build_order(relation):
        key = (period_start, period_end) if depends_on_period(name) else None
        if built is not None and name in built and built[name] == key:
            continue
        backend.materialise(name, sql_text(name), params)
        if built is not None:
            built[name] = key


def ensure_inputs(backend: Backend, relation: str) -> None:
    """Check the contract tables ``relation`` reads are present; create absent optional ones
    empty. Raises ValueError naming a missing required table."""
    contract = load_contract()
    for table_name in input_tables(relation):
        if backend.has_table(table_name):
            continue
        table = contract[table_name]
        if table.required:
            raise ValueError(
                f"table {table_name} is missing from the warehouse; the preparation relation "
                f"{relation} reads it"
            )
        columns = ", ".join(
            f"CAST(NULL AS {WAREHOUSE_TYPES[field.type]}) AS {name}"
            for name, field in table.fields.items()
            if field.type in WAREHOUSE_TYPES
        )
        backend.materialise(
            table_name, f"SELECT {columns} FROM (SELECT 1 AS one) AS no_rows WHERE 1 = 0"
        )


def _module(relation: str) -> ModuleType:
    try:
        return modules()[relation]
    except KeyError:
        raise KeyError(
            f"no preparation relation {relation!r}; known: {', '.join(relations())}"
        ) from None
