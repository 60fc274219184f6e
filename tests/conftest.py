"""Test-wide fixtures. Reference data is read from ../shared/reference, never copied here."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
REFERENCE_DIR = SHARED_DIR / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The shared golden test data (PHE indicator methods, SPC, feedback)."""
    if not REFERENCE_DIR.is_dir():
        pytest.fail(f"shared reference data not found at {REFERENCE_DIR}")
    return REFERENCE_DIR
