"""Truth recovery at full national scale: every injected disparity's estimate, 95% interval and
whether it covers the true value, and the share of comparisons flagged significant.

    uv run python benchmarks/truth_recovery.py [--config default|no_disparity] [--people N]
                                               [--seed 1] [--workdir DIR] [--reuse]
                                               [--all] [--csv FILE]

The tests in ``tests/truth/`` run the same checks on a smaller extract (15% of national) to
stay fast in CI; this script runs them at national scale (4 million people in contact, 56.5
million residents; by default), where intervals are about 2.6 times narrower, so that any
bias larger than chance at the smaller size would show. It synthesises (seed 1, no defects),
ingests with the demo key and computes every metric by ethnicity for 2024-25 — about 18
minutes on a busy 2-core machine (synthesis 5, ingest 11, compute 2) and 7 GB of disk — and
prints:

* the headline comparisons (as in ``tests/truth/test_truth_recovery.py``), or with ``--all``
  every expectation truth.json supports;
* coverage of the 95% intervals by basis (exact, derived, approximate; direction only);
* the share of calculated ethnicity comparisons flagged significant: over the comparisons
  with no true difference when nothing is injected, and over all of them.

``--reuse`` keeps an extract and warehouse already in ``--workdir`` (skipping synthesis and
ingest). The expectations and the pipeline are ``tests/truth/recovery.py`` (loaded by path).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RECOVERY_FILE = HERE.parent / "tests" / "truth" / "recovery.py"


def load(path: Path, name: str):
    """A module from a file that is not on the import path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def table(assessments, recovery) -> pd.DataFrame:
    rows = []
    for a in assessments:
        e = a.expectation
        truth = (f"{e.truth_low:.4g}" if e.truth_low == e.truth_high
                 else f"{e.truth_low:.4g}-{e.truth_high:.4g}")
        rows.append({
            "disparity": e.disparity, "metric": e.metric, "statistic": e.statistic,
            "level": e.breakdown.removeprefix("ethnicity_"), "group": e.group,
            "measure": e.measure + (" (span pooled)" if e.pooled else ""), "n": a.count,
            "estimate": a.estimate, "lower": a.lower, "upper": a.upper, "truth": truth,
            "basis": e.basis,
            "covers": ("-" if e.basis == recovery.DIRECTION or not a.calculated
                       else "yes" if a.covers else "NO"),
            "significance": a.significance,
        })
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].round().astype("Int64")
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="default")
    parser.add_argument("--people", type=int, default=None,
                        help="people in contact (default: the national scale's 4 million)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--all", action="store_true", help="every expectation, not headlines")
    parser.add_argument("--csv", type=Path, default=None, help="write every expectation here")
    args = parser.parse_args(argv)

    recovery = load(RECOVERY_FILE, "pcref_truth_recovery")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pcref-truth-"))
    started = time.perf_counter()
    run = recovery.run_pipeline(workdir, config=args.config, people=args.people,
                                seed=args.seed, reuse=args.reuse,
                                progress=lambda m: print(f"... {m}", file=sys.stderr))
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    generator = run.truth["generator"]
    print(f"pcref truth recovery: config {generator['config_name']}, scale {generator['scale']}, "
          f"{generator['people_target']:,.0f} people, seed {generator['seed']}, defects "
          f"{generator['defects']}, period {recovery.PERIOD}")
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in run.seconds.items())
    print(f"wall {wall:.0f} s ({steps}); CPU {usage.ru_utime + usage.ru_stime:.0f} s; "
          f"{os.cpu_count()} cores; workdir {workdir}")

    assessed = recovery.assess_all(run, recovery.expectations(run.truth))
    frame = table(assessed, recovery)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    if args.all:
        shown = frame
    else:
        keys = {tuple(h[1:]) for h in recovery.HEADLINES}
        shown = frame[[(m, s, "ethnicity_" + lv, g) in keys for m, s, lv, g in
                       zip(frame["metric"], frame["statistic"], frame["level"], frame["group"],
                           strict=True)]]
    with pd.option_context("display.width", 250, "display.max_rows", 1000,
                           "display.max_colwidth", 40, "display.float_format", "{:.4g}".format):
        print()
        print(shown.drop(columns=["disparity"]).to_string(index=False))

    print("\nCoverage of the 95% intervals (calculated expectations):")
    for basis in (recovery.EXACT, recovery.DERIVED, recovery.APPROXIMATE):
        chosen = [a for a in assessed if a.expectation.basis == basis and a.calculated]
        covered = sum(a.covers for a in chosen)
        share = covered / len(chosen) if chosen else float("nan")
        print(f"  {basis:12s} {covered:4d} of {len(chosen):4d} ({share:.1%})")
    direction = [a for a in assessed if a.expectation.basis == recovery.DIRECTION
                 and a.calculated and abs(a.expectation.truth_ratio - 1) >= 0.1]
    print(f"  direction    {sum(a.right_direction for a in direction):4d} of {len(direction):4d}"
          " on the true side (true ratio at least 10% from 1)")

    flags = recovery.flag_rates(run.results)
    null = recovery.null_comparisons(run)
    print("\nComparisons flagged significant at 95%:")
    for label, n, k in (
        ("no true difference (truth.json)", len(null), int(null["flagged"].sum())),
        ("all", int(flags["comparisons"].sum()), int(flags["flagged"].sum())),
    ):
        print(f"  {label:36s} {k:4d} of {n:4d} ({k / n:.1%})")
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(flags.to_string(index=False, float_format="{:.2f}".format))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
