"""Benchmark the biggest-gaps and metric pages on the demo results run.

    uv run python benchmarks/dashboard_pages.py [--results demo-data/results] [--repeat 20]

Design goal (DESIGN.md section 11): dashboard pages p95 < 150 ms at 20 concurrent users.
This script measures one user, in process, with Django's test client on an in-memory SQLite
database (the test settings), after loading the run with ``load_run``: for each page, the
first request (figures read, charts built) and the p50/p95 of repeated requests (served
from the page cache for the metric pages). It prints the figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcref.web.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="demo-data/results")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from pcref.web.accounts.roles import assign_roles
    from pcref.web.dashboard.loading import load_run

    started = time.perf_counter()
    outcome = load_run(args.results)
    print(f"loaded run {outcome.run.run_id}: {outcome.rows} rows in "
          f"{time.perf_counter() - started:.1f} s")
    user = get_user_model().objects.create_user("bench", password="a-long-bench-password-1")
    assign_roles(user, ["analyst"])
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    pages = [
        "/dashboard/gaps/",
        "/dashboard/gaps/?breakdown=ethnicity_16",
        "/dashboard/metrics/mha_s136/",
        "/dashboard/metrics/access_referral_via_police/",
        "/dashboard/metrics/ri_per_1000_bed_days/",
        "/dashboard/metrics/access_referral_via_police/download.csv",
    ]
    print(f"{'page':60} {'first ms':>9} {'p50 ms':>7} {'p95 ms':>7}")
    for path in pages:
        times = []
        for _ in range(args.repeat + 1):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        rest = sorted(times[1:])
        p95 = rest[max(0, round(0.95 * len(rest)) - 1)]
        print(f"{path:60} {times[0]:9.0f} {statistics.median(rest):7.0f} {p95:7.0f}")


if __name__ == "__main__":
    main()
