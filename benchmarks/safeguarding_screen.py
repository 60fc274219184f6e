"""Benchmark the safeguarding screen on real NHS comments: speed and moderators' load.

    uv run python benchmarks/safeguarding_screen.py

Reads the 7,908 Friends and Family Test comments of the public labelled NHS set
(``../shared/reference/feedback/fft_labelled_v6.csv``; never copied into the project) and
prints:

* time per comment (mean, p50, p99, slowest) and per 1,000 characters, wall clock on this
  machine (each comment screened once; a second pass is timed after a warm-up);
* how many comments the screen would put in the urgent queue, by category — the extra
  reading the over-flagging rules ask of moderators on ordinary feedback;
* how the comments the QDC labellers marked "Safeguarding concerns?" and "Feeling safe"
  fare (the labels are not a safeguarding gold standard, so this is a sanity check, not a
  recall figure).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from pcref.listening.safeguarding import CATEGORY_LABELS, screen

REFERENCE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "feedback"
    / "fft_labelled_v6.csv"
)


def main() -> None:
    frame = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    texts = frame["FFT answer"].tolist()
    for text in texts[:200]:  # warm-up: compiled patterns, caches
        screen(text)
    seconds = []
    results = []
    for text in texts:
        started = time.perf_counter()
        results.append(screen(text))
        seconds.append(time.perf_counter() - started)
    ms = np.array(seconds) * 1000
    characters = sum(len(t) for t in texts)
    print(f"reference file: {REFERENCE} ({len(texts)} comments, {characters:,} characters)")
    print(f"time per comment: mean {ms.mean():.2f} ms, p50 {np.percentile(ms, 50):.2f} ms, "
          f"p99 {np.percentile(ms, 99):.2f} ms, slowest {ms.max():.2f} ms "
          f"({max(len(t) for t in texts)} characters at most); "
          f"{ms.sum() / characters * 1000:.2f} ms per 1,000 characters")
    urgent = [r for r in results if r.urgent]
    print(f"urgent: {len(urgent)} of {len(texts)} comments ({len(urgent) / len(texts):.1%})")
    by_category = Counter(c for r in urgent for c in r.categories)
    for category, label in CATEGORY_LABELS.items():
        print(f"  {label}: {by_category.get(category, 0)}")
    by_rule = Counter(m.rule_id for r in urgent for m in r.matches)
    print("most frequent rules: " + ", ".join(f"{k} {v}" for k, v in by_rule.most_common(8)))
    for column in ("Safeguarding concerns?", "Feeling safe"):
        marked = frame[column].str.strip() == "1"
        flagged = sum(results[i].urgent for i in np.flatnonzero(marked.to_numpy()))
        print(f"labelled '{column}': {int(marked.sum())} comments, {flagged} flagged urgent")


if __name__ == "__main__":
    main()
