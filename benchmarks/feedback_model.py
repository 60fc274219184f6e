"""Benchmark the feedback theme and sentiment model on the public labelled NHS set.

    uv run python benchmarks/feedback_model.py

Reads ``../shared/reference/feedback/fft_labelled_v6.csv`` (beside the repository; never
copied into it): 7,908 Friends and Family Test comments from two trusts, labelled by the QDC
project with the v6 framework (read as v7 themes: same-name columns, plus the merges in
``src/pcref/listening/themes.yaml``) and a 1-5 sentiment mapped to three points.

The split is the one ``pcref feedback train`` uses: 25% of *respondents* held out, seed
20231001 (:func:`pcref.listening.evaluation.held_out_split`), so a person's two or three
answers are never on both sides. The model is fitted on the rest; the model and the rule
baselines are scored on the held-out comments with usable text (blank and "Did not answer"
are set aside: every predictor labels them "Labelling not possible" by rule). It prints micro
and macro F1 over the themes, F1 per theme, and three-point sentiment accuracy and macro F1,
then pxtextmining's published figures for comparison.

The published figures are from pxtextmining's own v7 test set (about 4,000 comments from six
trusts, 32 subcategories), not from this file, so they are a reference point, not a like-for-
like comparison (``../shared/reference/feedback/README.md``).
"""

from __future__ import annotations

import time
from pathlib import Path

from pcref.listening.evaluation import (
    SPLIT_SEED,
    TEST_FRACTION,
    evaluate_model,
    evaluate_rules,
    format_evaluations,
    held_out_split,
)
from pcref.listening.labelled import read_labelled
from pcref.listening.model import FeedbackModel

REFERENCE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "feedback"
    / "fft_labelled_v6.csv"
)

#: pxtextmining's reported figures (README "Published pxtextmining performance").
PUBLISHED = (
    ("Ensemble (TF-IDF+SVC, XGBoost, DistilBERT)", "themes: micro F1 0.77, macro F1 0.71"),
    ("TF-IDF + SVC", "themes: micro F1 0.71, macro F1 0.64"),
    ("DistilBERT", "sentiment 3-point accuracy 0.85 (5-point 0.70)"),
)


def main() -> None:
    data = read_labelled(REFERENCE)
    train, test = held_out_split(data)
    training, held_out = data.subset(train), data.subset(test)
    print(f"reference file: {REFERENCE} ({len(data)} comments, sha256 {data.sha256[:12]}…)")
    print(f"split: {TEST_FRACTION:.0%} of {len(set(data.groups))} respondents held out "
          f"(seed {SPLIT_SEED}): {len(training)} training comments, {len(held_out)} held out")
    started = time.perf_counter()
    model = FeedbackModel.fit(training)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model_scores = evaluate_model(model, held_out)
    predict_seconds = time.perf_counter() - started
    rule_scores = evaluate_rules(held_out)
    print(f"model fitted in {fit_seconds:.1f} s; held-out predictions and scoring "
          f"{predict_seconds:.1f} s (wall)")
    if model.card["themes_not_learnt"]:
        print(f"themes not learnt: {model.card['themes_not_learnt']}")
    print()
    print(format_evaluations([model_scores, rule_scores]))
    print("published pxtextmining figures (their v7 test set, not this file):")
    for name, figures in PUBLISHED:
        print(f"  {name}: {figures}")


if __name__ == "__main__":
    main()
