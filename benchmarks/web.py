"""Benchmark the main pages of the staff web application: latency at 20 signed-in users.

    uv run python benchmarks/web.py [--results demo-data/results] [--users 20] [--seconds 30]
                                    [--think 0] [--workers 2] [--threads 4]
                                    [--database-url URL]

Design goal (DESIGN.md section 11, on a 2-core machine): dashboard pages p95 < 150 ms at
20 concurrent users.

gunicorn serves the application as ``pcref serve`` would: the production settings (DEBUG
off, WhiteNoise serving the collected static files, secure cookie names), with plain HTTP
allowed (``PCREF_SSL_REDIRECT=false``: no TLS proxy in front) against a scratch database (a
new SQLite file unless ``--database-url`` names another, e.g. a scratch PostgreSQL
database). The demo results run is loaded into it with ``load_run`` and one account per
user is made, half viewers (public figures) and half analysts (internal figures), so both
disclosure policies' pages are cached and served. The load generator uses threads and
``http.client`` only:

1. **Sign-in (not timed):** each user signs in through the sign-in form and keeps its
   session cookie. The pages' addresses are found as a person finds them: a team from the
   team list, a breakdown from the metric page's filter. Public pages that do not answer
   200 in this build are left out, and the script says so.
2. **First visits:** each user visits every page once, in its own order. The first visit
   to a page in a worker reads the figures and builds the charts (the page cache is per
   worker process); these are printed apart.
3. **Measurement:** for ``--seconds``, each user requests the pages round and round (a
   closed loop: its next request starts when the last answer has arrived, after
   ``--think`` seconds). With no think time, 20 requests are always waiting: the hardest
   reading of "20 concurrent users".

It prints p50, p95 and p99 latency per page and overall, errors by kind, whether the goal
was met, the requests per second, the CPU time gunicorn's workers spent per request, and how
busy the machine was during the run: on a shared machine the latency depends on what else
is running, the CPU cost does not.
"""

from __future__ import annotations

import argparse
import html
import http.client
import itertools
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from _load import machine_busy_share, machine_cpu_times, percentile, server_cpu_seconds

GOAL_P95_MS = 150.0
#: The demo's most-viewed metric (Mental Health Act section 136), as in dashboard_pages.py.
METRIC = "mha_s136"
_TEAM_LINK = re.compile(r'href="(/dashboard/teams/[a-z0-9-]+/[^"]*)"')
_BREAKDOWN_SELECT = re.compile(r'<select[^>]*name="breakdown"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]*)"( selected)?')
#: Public pages, if this build has them (label, path).
PUBLIC_PAGES = (
    ("start page", "/"),
    ("public PCREF page", "/pcref/"),
    ("you said, we did", "/you-said-we-did/"),
)


@dataclass
class Timings:
    """Latencies (ms) by page label, and failures by page and kind."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, milliseconds: float, outcome: str) -> None:
        with self.lock:
            if outcome == "ok":
                self.latencies.setdefault(label, []).append(milliseconds)
            else:
                kinds = self.errors.setdefault(label, {})
                kinds[outcome] = kinds.get(outcome, 0) + 1


def _prepare_database(env: dict[str, str], results: Path, users: int) -> list[tuple[str, str]]:
    """Load the results run and make the benchmark's accounts; returns (username, password)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from pcref.web.accounts.roles import assign_roles
    from pcref.web.dashboard.loading import load_run

    started = time.perf_counter()
    outcome = load_run(results)
    print(f"loaded run {outcome.run.run_id}: {sum(outcome.rows.values())} figure rows "
          f"in {time.perf_counter() - started:.1f} s (not timed)")  # fmt: skip
    accounts = []
    for index in range(users):
        username, password = f"bench-{index:02d}", secrets.token_urlsafe(18)
        user = get_user_model().objects.create_user(username, password=password)
        assign_roles(user, ["viewer" if index % 2 == 0 else "analyst"])
        accounts.append((username, password))
    return accounts


def _sign_in(session_class, port: int, username: str, password: str):
    session = session_class(port)
    status, _headers, _text = session.request("GET", "/sign-in/")
    if status != 200:
        raise RuntimeError(f"GET /sign-in/ answered {status}")
    data = {"username": username, "password": password}
    status, headers, _text = session.request("POST", "/sign-in/", data)
    if status != 302 or "/sign-in" in headers.get("location", ""):
        raise RuntimeError(f"signing in as {username} answered {status}, expected a redirect")
    return session


def _get(session, path: str) -> tuple[int, dict[str, str], str]:
    """GET ``path`` on the session's connection; a kept-alive connection the server closed
    meanwhile (gunicorn closes one idle for 2 s) is opened again once, as a browser does."""
    try:
        return session.request("GET", path)
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        return session.request("GET", path)  # request() closed the old connection


def _main_pages(session) -> list[tuple[str, str]]:
    """The pages to time, found from the site itself; public pages missing from this build
    are left out with a note."""
    status, _headers, teams = _get(session, "/dashboard/teams/")
    team = _TEAM_LINK.search(teams) if status == 200 else None
    metric = f"/dashboard/metrics/{METRIC}/"
    status, _headers, metric_page = _get(session, metric)
    select = _BREAKDOWN_SELECT.search(metric_page) if status == 200 else None
    other = [value for value, chosen in _OPTION.findall(select.group(1)) if not chosen] if (
        select) else []  # fmt: skip
    if team is None or not other:
        raise RuntimeError("the demo run has no team list or no other breakdown to choose")
    pages = [
        ("dashboard index", "/dashboard/"),
        ("biggest gaps", "/dashboard/gaps/"),
        ("metric page", metric),
        ("metric page, breakdown", f"{metric}?breakdown={other[0]}"),
        ("team list", "/dashboard/teams/"),
        ("team profile", html.unescape(team.group(1))),
        ("data quality", "/dashboard/data-quality/"),
        ("about the data", "/dashboard/about/"),
    ]
    for label, path in PUBLIC_PAGES:
        status, _headers, _text = _get(session, path)
        if status == 200:
            pages.append((label, path))
        else:
            print(f"left out {label} ({path}): it answered {status} in this build")
    return pages


def _visit(session, label: str, path: str, timings: Timings) -> None:
    started = time.perf_counter()
    try:
        status, _headers, _text = _get(session, path)
        outcome = "ok" if status == 200 else f"HTTP {status}"
    except OSError as error:
        outcome = type(error).__name__
    timings.add(label, 1000 * (time.perf_counter() - started), outcome)


def _report(title: str, timings: Timings, pages: list[tuple[str, str]]) -> tuple[float, int]:
    """Print the table; returns the overall p95 and the number of errors."""
    print(f"\n{title}")
    print(f"{'page':26} {'path':46} {'n':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6} errors")
    everything: list[float] = []
    error_count = 0
    for label, path in pages:
        values = timings.latencies.get(label, [])
        errors = timings.errors.get(label, {})
        error_count += sum(errors.values())
        everything += values
        figures = (
            f"{percentile(values, 0.50):6.0f} {percentile(values, 0.95):6.0f} "
            f"{percentile(values, 0.99):6.0f} {max(values):6.0f}"
            if values else f"{'-':>6} {'-':>6} {'-':>6} {'-':>6}"
        )
        shown = path if len(path) <= 46 else path[:43] + "..."
        print(f"{label:26} {shown:46} {len(values):5} {figures} "
              f"{sum(errors.values())} {errors or ''}".rstrip())  # fmt: skip
    overall = percentile(everything, 0.95) if everything else float("nan")
    if everything:
        print(f"{'all pages':26} {'':46} {len(everything):5} "
              f"{percentile(everything, 0.50):6.0f} {overall:6.0f} "
              f"{percentile(everything, 0.99):6.0f} {max(everything):6.0f} {error_count}")
    return overall, error_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="demo-data/results", type=Path,
                        help="results run to load (make it with `pcref demo`)")
    parser.add_argument("--users", type=int, default=20, help="concurrent signed-in users")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the measurement")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each user waits between pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--database-url", help="scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    if not (args.results / "run.json").is_file():
        print(f"Error: {args.results}: no results run (run.json) there; make the demo's with "
              "`uv run pcref demo` first", file=sys.stderr)  # fmt: skip
        return 2

    from pcref.web.feedback.probe import REPO_ROOT, FormSession, ScratchServer

    scratch = Path(tempfile.mkdtemp(prefix="pcref-web-bench-"))
    database_url = args.database_url or f"sqlite:///{scratch / 'web.sqlite3'}"
    server = ScratchServer(
        database_url=database_url,
        workers=args.workers,
        threads=args.threads,
        extra_env={
            "DJANGO_SETTINGS_MODULE": "pcref.web.settings.production",
            "PCREF_SECRET_KEY": secrets.token_urlsafe(50),
            "PCREF_SSL_REDIRECT": "false",
            "PCREF_STATIC_ROOT": str(scratch / "static"),
        },
    )
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=REPO_ROOT, env=server.env, check=True)  # fmt: skip
    print(f"gunicorn: production settings, {args.workers} workers x {args.threads} threads; "
          f"database {database_url}; {args.users} users, think time {args.think:g} s")  # fmt: skip
    server.start()
    try:
        accounts = _prepare_database(server.env, args.results, args.users)
        with ThreadPoolExecutor(max_workers=args.users) as pool:
            sessions = list(pool.map(lambda a: _sign_in(FormSession, server.port, *a), accounts))
        pages = _main_pages(sessions[0])

        first = Timings()

        def visit_each_once(index: int) -> None:
            for label, path in pages[index % len(pages):] + pages[:index % len(pages)]:
                _visit(sessions[index], label, path, first)

        with ThreadPoolExecutor(max_workers=args.users) as pool:
            list(pool.map(visit_each_once, range(args.users)))

        measured = Timings()
        deadline = time.perf_counter() + args.seconds

        def keep_visiting(index: int) -> None:
            order = itertools.cycle(pages[index % len(pages):] + pages[:index % len(pages)])
            while time.perf_counter() < deadline:
                label, path = next(order)
                _visit(sessions[index], label, path, measured)
                if args.think:
                    time.sleep(args.think)

        cpu_before = server_cpu_seconds(server.process.pid)
        machine_before = machine_cpu_times()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.users) as pool:
            list(pool.map(keep_visiting, range(args.users)))
        wall = time.perf_counter() - started
        server_cpu = server_cpu_seconds(server.process.pid) - cpu_before
        busy = machine_busy_share(machine_before, machine_cpu_times())
        load = os.getloadavg()[0]
    finally:
        server.kill()

    _report("First visits (ms; figures read and charts built in each worker):", first, pages)
    p95, errors = _report(f"Measured for {wall:.0f} s (ms):", measured, pages)
    requests = sum(len(values) for values in measured.latencies.values()) + errors
    print(f"\n{requests} requests, {requests / wall:.1f}/s; server CPU per request "
          f"{1000 * server_cpu / max(requests, 1):.1f} ms; machine {100 * busy:.0f}% busy "
          f"on {os.cpu_count()} cores during the run, load average {load:.1f}")  # fmt: skip
    met = p95 < GOAL_P95_MS and errors == 0
    print(f"goal p95 < {GOAL_P95_MS:.0f} ms over all pages, no errors: "
          f"{'met' if met else 'NOT met'} (p95 {p95:.0f} ms, {errors} errors)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
