"""Session fixtures for the truth-recovery tests: one synthetic extract per configuration,
synthesised, ingested and computed once per session (``recovery.run_pipeline``).

Size. National scale (300 synthetic areas with England's ethnic mix) with fewer people than
its 4 million: ``people`` scales the population with them, so every per-resident rate stays as
configured and only the counts shrink. The whole file must stay within about four minutes on
a 2-core machine; the default configuration runs at 1.5 million people (37.5% of national:
about two minutes unloaded), the largest that leaves room for the no-disparity run, which needs
at least 50 calculated comparisons rather than narrow intervals. The injected comparisons with
the fewest events — transitions to adult services (110 young people of Black ethnicity in
2024-25 at this size) and memory-service waits of Bangladeshi people (51 diagnoses) — are still
imprecise, and are required to be significant only where their intervals make that likely.
Full national scale (about 8 minutes unloaded, 18 when the machine is busy) is left to
``benchmarks/truth_recovery.py``. Measured times: ``docs/truth-recovery.md``.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

#: People in contact (national scale) for the default configuration: 37.5% of national.
DEFAULT_PEOPLE = 1_500_000
#: People in contact for the no-disparity configuration.
NO_DISPARITY_PEOPLE = 300_000
SEED = 1


def _load_recovery():
    path = Path(__file__).with_name("recovery.py")
    spec = importlib.util.spec_from_file_location("pcref_truth_recovery", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


recovery_module = _load_recovery()


def pytest_generate_tests(metafunc):
    """Tests asking for ``headline`` run once per ``recovery.HEADLINES`` comparison."""
    if "headline" in metafunc.fixturenames:
        metafunc.parametrize("headline", recovery_module.HEADLINES,
                             ids=[f"{h[1]}-{h[3]}-{h[4]}" for h in recovery_module.HEADLINES])


@pytest.fixture(scope="session")
def recovery():
    """The shared truth-recovery module (tests/truth/recovery.py)."""
    return recovery_module


def _run(tmp_path_factory, config: str, people: int):
    folder = tmp_path_factory.mktemp(f"truth-{config}")
    run = recovery_module.run_pipeline(folder, config=config, people=people, seed=SEED)
    # The results are in memory; the extract and warehouse (hundreds of MB) are not needed.
    shutil.rmtree(folder / "extract", ignore_errors=True)
    (folder / "warehouse.duckdb").unlink(missing_ok=True)
    return run


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """The default configuration (every injected disparity), clean data, computed."""
    return _run(tmp_path_factory, "default", DEFAULT_PEOPLE)


@pytest.fixture(scope="session")
def no_disparity_run(tmp_path_factory):
    """The no-disparity configuration, clean data, computed."""
    return _run(tmp_path_factory, "no_disparity", NO_DISPARITY_PEOPLE)
