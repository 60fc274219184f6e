"""Ingest: validate an MHSDS-shaped extract against the data contract, pseudonymise it and load
it into the analytical warehouse atomically.

Public API::

    validate(directory) -> ValidationReport        checks only; .fatal, .findings, .to_dict()
    ingest(directory, warehouse, key) -> IngestResult   raises ExtractRejected on fatal findings
    load_key(key_file=None, demo=False) -> PseudonymisationKey
    RULES                                          the rule catalogue (id, severity, description)

The rules, the pseudonymisation and the warehouse layout are documented in ``docs/ingest.md``.
"""

from pcref.ingest.findings import Example, Finding, TableSource, ValidationReport
from pcref.ingest.nhs_number import is_valid_nhs_number
from pcref.ingest.pipeline import ExtractRejected, IngestResult, ingest, total_steps, validate
from pcref.ingest.pseudonymise import (
    DEMO_KEY,
    KEY_ENVIRONMENT_VARIABLE,
    PseudonymisationKey,
    PseudonymisationKeyError,
    demo_key,
    load_key,
)
from pcref.ingest.rules import RULES, RULES_BY_ID, Rule, Severity
from pcref.ingest.warehouse import IngestRun, WarehouseError

__all__ = [
    "DEMO_KEY",
    "KEY_ENVIRONMENT_VARIABLE",
    "RULES",
    "RULES_BY_ID",
    "Example",
    "ExtractRejected",
    "Finding",
    "IngestResult",
    "IngestRun",
    "PseudonymisationKey",
    "PseudonymisationKeyError",
    "Rule",
    "Severity",
    "TableSource",
    "ValidationReport",
    "WarehouseError",
    "demo_key",
    "ingest",
    "is_valid_nhs_number",
    "load_key",
    "total_steps",
    "validate",
]
