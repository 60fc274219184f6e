"""Benchmark the board report, the public page and the published-figures download on the
current results run of the app database (``DATABASE_URL``, else the local demo database).

    uv run python benchmarks/publication.py [--period 2024-25] [--repeat 3]

Prints, for each step, the best of ``--repeat`` wall times, each with the cache emptied
first (so the figures are worked out, not read from the cache), and the machine's load
average beside them: building the board report under the public and the internal policy,
rendering its HTML, printing the PDF with WeasyPrint, the public page's figures and the
zip of every published figure. No goal is set in DESIGN §11; the figures say what a first,
uncached request costs (docs/reports.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default=None, help="default: the run's latest")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcref.web.settings.local")
    import django

    django.setup()
    from django.core.cache import cache

    from pcref.web.dashboard.figures import current_run
    from pcref.web.publication.board_report import build_board_report
    from pcref.web.publication.public_page import public_page_context
    from pcref.web.publication.published_figures import published_figures_zip
    from pcref.web.publication.rendering import board_report_html, board_report_pdf

    run = current_run()
    if run is None:
        print("No results run is loaded: `uv run pcref load DIR` first.", file=sys.stderr)
        return 2
    report = build_board_report(run, args.period, "public")
    steps = {
        "board report, public policy": lambda: build_board_report(run, args.period, "public"),
        "board report, nhse policy": lambda: build_board_report(run, args.period, "nhse"),
        "board report HTML": lambda: board_report_html(report),
        "board report PDF": lambda: board_report_pdf(report),
        "public page figures": public_page_context,
        "published-figures zip": lambda: published_figures_zip(run),
    }
    print(f"results run {run.run_id}, period {report.period}, best of {args.repeat}")
    for name, step in steps.items():
        best = float("inf")
        for _ in range(args.repeat):
            cache.clear()
            start = time.perf_counter()
            step()
            best = min(best, time.perf_counter() - start)
        load = os.getloadavg()[0]
        print(f"{name:32s} {best:7.2f} s   (load average {load:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
