"""Benchmark ingest: rows per second for validate and ingest of the trust-scale synthetic
extract, and the time and peak memory to generate the national-scale extract.

    uv run python benchmarks/ingest.py [--workdir DIR] [--repeats 3] [--skip-national]
                                       [--extract DIR]

Design goal (DESIGN.md section 11): ingest and validate at >= 1M rows/s on a 2-core machine.
The extracts are made by ``pcref synth`` in a subprocess (seed 1); validate and ingest run in
this process, timed from the call to the return (interpreter start-up and imports excluded,
as they do not grow with the data). Each timing is repeated and the best and median are
shown: the best is the least disturbed by other work on the machine, the median is typical.
The national generator's wall time and peak resident memory come from ``os.wait4`` on its
process (the kernel's own accounting, children included).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pcref.ingest import demo_key, ingest, validate


def synthesise(scale: str, out: Path) -> tuple[float, int]:
    """Run ``pcref synth --scale SCALE --seed 1 --out OUT``; (wall seconds, peak RSS bytes)."""
    command = [sys.executable, "-m", "pcref.cli", "synth", "--scale", scale, "--seed", "1",
               "--out", str(out)]
    if shutil.which("pcref"):
        command = [shutil.which("pcref"), "synth", "--scale", scale, "--seed", "1",
                   "--out", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    peak = usage.ru_maxrss * (1 if platform.system() == "Darwin" else 1024)
    return elapsed, peak


def timed(function, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (all threads of this process) of each of ``repeats`` runs.
    CPU time is the steadier figure when other work shares the machine."""
    wall, cpu = [], []
    for _ in range(repeats):
        cpu_started, started = cpu_seconds(), time.perf_counter()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - cpu_started)
    return wall, cpu


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def folder_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())


def line(label: str, rows: int, times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    best, median = min(wall), statistics.median(wall)
    return (f"{label:<24} best {best:5.2f} s {rows / best / 1e6:5.2f} M rows/s | "
            f"median {median:5.2f} s {rows / median / 1e6:5.2f} M rows/s | "
            f"CPU {min(cpu):5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="where to write extracts (default: a "
                        "temporary folder, removed afterwards)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-national", action="store_true",
                        help="do not generate the national-scale extract")
    parser.add_argument("--extract", type=Path,
                        help="benchmark this existing extract instead of synthesising one")
    options = parser.parse_args()

    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="pcref-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(f"machine: {os.cpu_count()} cores, {platform.platform()}, "
              f"DuckDB {duckdb.__version__}, Python {platform.python_version()}")
        if options.extract:
            extract = options.extract
            print(f"extract: {extract}")
        else:
            extract = workdir / "trust"
            if extract.exists():
                shutil.rmtree(extract)
            seconds, peak = synthesise("trust", extract)
            print(f"trust-scale extract: generated in {seconds:.1f} s, "
                  f"peak memory {peak / 2**20:,.0f} MiB")

        report = validate(extract)
        if report.fatal:
            raise SystemExit(f"the extract is rejected; fix it first: {report.counts_by_rule()}")
        rows = report.total_rows
        print(f"rows: {rows:,} in {len([s for s in report.sources.values() if s.file])} files, "
              f"{folder_bytes(extract) / 1e6:,.0f} MB")
        for name, source in sorted(report.sources.items(), key=lambda kv: -kv[1].rows)[:6]:
            print(f"  {name:<32} {source.rows:>12,}")

        warehouse = workdir / "warehouse.duckdb"
        key = demo_key()
        validate_times = timed(lambda: validate(extract), options.repeats)

        def load() -> None:
            if warehouse.exists():
                warehouse.unlink()  # time a first load, not the carrying over of run history
            ingest(extract, warehouse, key)

        ingest_times = timed(load, options.repeats)
        print(line("validate", rows, validate_times))
        print(line("ingest (incl. validate)", rows, ingest_times))
        print(f"warehouse: {warehouse.stat().st_size / 1e6:,.0f} MB; "
              f"peak memory of this process {peak_self() / 2**20:,.0f} MiB")
        goal = rows / min(ingest_times[0]) >= 1e6
        print(f"goal >= 1M rows/s for ingest: {'met' if goal else 'NOT met'} (best run)")

        if not options.skip_national:
            national = workdir / "national"
            if national.exists():
                shutil.rmtree(national)
            seconds, peak = synthesise("national", national)
            print(f"national-scale extract: generated in {seconds:.1f} s, peak memory "
                  f"{peak / 2**20:,.0f} MiB, {folder_bytes(national) / 1e9:.2f} GB on disk")
    finally:
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def peak_self() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage * (1 if platform.system() == "Darwin" else 1024)


if __name__ == "__main__":
    main()
