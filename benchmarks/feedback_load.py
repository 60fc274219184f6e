"""Benchmark the public feedback form: submission latency at a steady 50 requests/s.

    uv run python benchmarks/feedback_load.py [--rate 50] [--seconds 20] [--workers 2]
                                              [--threads 4] [--database-url URL]

Design goal (DESIGN.md section 11, on a 2-core machine): p99 < 250 ms at 50 requests/s,
zero lost.

gunicorn serves the application with the local settings against a scratch database (a new
SQLite file in WAL mode with immediate transactions unless ``--database-url`` names
another, e.g. a scratch PostgreSQL database). The load generator uses threads and
``http.client`` only:

1. **Preparation (not timed):** rate × seconds sessions fill in every page but the last
   (the FFT question and comments, who is giving feedback, about you), as people do before
   they press "Send feedback".
2. **Measurement:** the "Send feedback" posts are fired on an open-loop schedule, one every
   1/rate seconds, whatever the server's speed. Latency is measured from each request's
   *scheduled* start, so a server that falls behind is charged for the queue it builds
   (no coordinated omission).
3. **Check:** the number of rows in the database equals the number of 302 answers.

It prints p50, p90, p99 and maximum latency, the rate achieved, errors by kind, the row
check, and the CPU time gunicorn's workers spent per submission with the machine's load
average: on a shared machine the latency depends on what else is running, the CPU cost
does not. The hourly per-connection limit is raised for the run (every request comes from
127.0.0.1).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django
from _load import percentile, server_cpu_seconds


def _count_rows(database_url: str) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "pcref.web.settings.local"
    os.environ["DATABASE_URL"] = database_url
    django.setup()
    from pcref.web.feedback.models import Submission

    return Submission.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--database-url", help="scratch database (default: a new SQLite file)")
    args = parser.parse_args()

    from pcref.web.feedback.probe import FormError, FormSession, ScratchServer

    scratch = Path(tempfile.mkdtemp(prefix="pcref-feedback-load-"))
    database_url = args.database_url or (
        f"sqlite:///{scratch / 'feedback.sqlite3'}"
        "?transaction_mode=IMMEDIATE&init_command=PRAGMA%20journal_mode%3DWAL"
    )
    server = ScratchServer(
        database_url=database_url,
        workers=args.workers,
        threads=args.threads,
        extra_env={"PCREF_FEEDBACK_SUBMISSIONS_PER_HOUR": "1000000"},
    )
    total = int(args.rate * args.seconds)
    print(f"gunicorn: {args.workers} workers x {args.threads} threads; database {database_url}")
    server.start()
    try:
        rows_before = _count_rows(database_url)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            prepared = list(pool.map(lambda _: _prepare(FormSession, server.port), range(total)))
        print(f"prepared {total} sessions in {time.perf_counter() - started:.1f} s (not timed)")

        latencies: list[float] = []
        errors: dict[str, int] = {}
        lock = threading.Lock()

        def fire(index: int, scheduled: float) -> None:
            session, path, answers = prepared[index]
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                status = session.send(path, answers)
                outcome = "ok" if status == 302 else f"HTTP {status}"
            except (OSError, FormError) as error:
                outcome = type(error).__name__
            elapsed = time.perf_counter() - scheduled
            session.close()
            with lock:
                if outcome == "ok":
                    latencies.append(elapsed)
                else:
                    errors[outcome] = errors.get(outcome, 0) + 1

        cpu_before = server_cpu_seconds(server.process.pid)
        origin = time.perf_counter() + 0.5
        with ThreadPoolExecutor(max_workers=64) as pool:
            for index in range(total):
                pool.submit(fire, index, origin + index / args.rate)
        wall = time.perf_counter() - origin
        server_cpu = server_cpu_seconds(server.process.pid) - cpu_before
    finally:
        server.kill()

    stored = _count_rows(database_url) - rows_before
    milliseconds = [1000 * value for value in latencies]
    print(f"sent {total} submissions at {args.rate:g}/s over {wall:.1f} s "
          f"({total / wall:.1f}/s achieved)")  # fmt: skip
    if milliseconds:
        print(
            f"latency ms: p50 {percentile(milliseconds, 0.50):.1f}  "
            f"p90 {percentile(milliseconds, 0.90):.1f}  "
            f"p99 {percentile(milliseconds, 0.99):.1f}  max {max(milliseconds):.1f}  "
            f"mean {statistics.fmean(milliseconds):.1f}"
        )
    print(f"errors: {sum(errors.values())} {errors or ''}".rstrip())
    print(
        f"server CPU per submission: {1000 * server_cpu / total:.1f} ms "
        f"(capacity about {total / server_cpu:.0f}/s per core); "
        f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"rows stored: {stored} (acknowledged {len(latencies)}; lost {len(latencies) - stored})")
    return 0 if stored == len(latencies) and not errors else 1


def _prepare(session_class, port: int):
    session = session_class(port)
    path, answers = session.fill_in()
    # gunicorn closes idle keep-alive connections after 2 s: send on a new connection.
    session.close()
    return session, path, answers


if __name__ == "__main__":
    sys.exit(main())
