"""The run record: what made a results run, so any figure can be traced and reproduced.

``run.json`` holds the run id, the one time stamp (``created_at``), the input fingerprint, the
code version, the parameters, the methods, both disclosure policies, and per metric its
status, SQL hashes, timings and row counts. The run id is derived, not drawn at random: it is
the SHA-256 (first 24 hex digits) of the input fingerprint, the code version, every selected
catalogue file's hash (and the preparation SQL it requires) and the parameters, so computing
the same catalogue on the same warehouse with the same code gives the same run id — and the
same ``results.parquet`` bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

RUN_ID_LENGTH = 24


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the text that is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def derive_run_id(
    input_fingerprint: str,
    code_version: str,
    definitions: dict[str, dict[str, str]],
    parameters: dict[str, Any],
) -> str:
    """The run id: a digest of everything that determines the results."""
    payload = {
        "input_fingerprint": input_fingerprint,
        "code_version": code_version,
        "definitions": definitions,
        "parameters": parameters,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()[:RUN_ID_LENGTH]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
