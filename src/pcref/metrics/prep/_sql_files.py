"""The one loader the SQL-file preparation modules share: ``<relation>.sql`` beside the module.

A preparation module (see :mod:`pcref.metrics.prepare`) declares ``RELATIONS`` and
``INPUT_COLUMNS`` and gets its ``sql_text`` from :func:`sql_reader`, so each module is only its
declarations and its documentation, and the rules stay in readable SQL files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import resources


def sql_reader(
    package: str, relations: Mapping[str, tuple[str, ...]], what: str
) -> Callable[[str], str]:
    """A ``sql_text(relation)`` reading ``<relation>.sql`` from ``package`` for the relations
    listed; ``what`` names the module's subject in the error for an unknown relation."""

    def sql_text(relation: str) -> str:
        """The SQL that defines ``relation`` (the file ``<relation>.sql`` beside this module)."""
        if relation not in relations:
            raise KeyError(f"no {what} preparation relation {relation!r}; known: {list(relations)}")
        return resources.files(package).joinpath(f"{relation}.sql").read_text(encoding="utf-8")

    return sql_text
