"""What ``pcref feedback train`` and ``pcref feedback evaluate`` do (the CLI only parses).

``train`` first fits on a held-out split of the file (by respondent, seeded:
:func:`pcref.listening.evaluation.held_out_split`) and scores the held-out quarter, so the model
card says how well a model trained this way does on comments it has not seen; then it fits
again on every comment and saves that model with the card.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pcref.listening.evaluation import (
    SPLIT_SEED,
    TEST_FRACTION,
    evaluate_model,
    evaluate_rules,
    format_evaluations,
    held_out_split,
)
from pcref.listening.labelled import LabelledFileError, read_labelled
from pcref.listening.model import FeedbackModel, ModelError

#: Fewest respondents for a held-out score to mean anything.
MIN_RESPONDENTS_FOR_HOLD_OUT = 20


def run_train(labelled: Path, out: Path, echo) -> int:
    """Train, score on a held-out split, refit on everything, save. Returns the exit code."""
    try:
        data = read_labelled(labelled)
        held_out: dict = {"available": False}
        trial = None
        if len(set(data.groups)) >= MIN_RESPONDENTS_FOR_HOLD_OUT:
            train, test = held_out_split(data)
            try:
                trial = FeedbackModel.fit(data.subset(train))
            except ModelError as exc:  # the full file may still have enough to learn
                held_out["reason"] = f"the training part alone has too little: {exc}"
        else:
            held_out["reason"] = (
                f"fewer than {MIN_RESPONDENTS_FOR_HOLD_OUT} respondents; no held-out score"
            )
        if trial is not None:
            model_scores = evaluate_model(trial, data.subset(test))
            rule_scores = evaluate_rules(data.subset(test))
            held_out = {
                "available": True,
                "split": f"{TEST_FRACTION:.0%} of respondents held out (seed {SPLIT_SEED}); "
                "one respondent's comments are all on one side",
                "model": model_scores.as_dict(),
                "rule_baseline": rule_scores.as_dict(),
            }
            echo(f"held-out scores ({TEST_FRACTION:.0%} of respondents):")
            echo(format_evaluations([model_scores, rule_scores]))
        else:
            echo(f"note: {held_out['reason']}")
        model = FeedbackModel.fit(data)
    except (LabelledFileError, ModelError) as exc:
        echo(f"error: {exc}", err=True)
        return 1
    model.card["trained_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    model.card["held_out"] = held_out
    model.save(out)
    not_learnt = model.card["themes_not_learnt"]
    echo(f"trained on {model.card['comments_with_usable_text']} comments with usable text; "
         f"{len(model.theme_labels)} themes learnt"
         + (f", {len(not_learnt)} not learnt (too few examples)" if not_learnt else "")
         + f"; model and model card written to {out}")
    return 0


def run_evaluate(model_dir: Path, labelled: Path, echo) -> int:
    """Score a saved model and the rule baseline on a labelled file. Returns the exit code."""
    try:
        model = FeedbackModel.load(model_dir)
        data = read_labelled(labelled)
    except (LabelledFileError, ModelError) as exc:
        echo(f"error: {exc}", err=True)
        return 1
    if data.sha256 == model.card.get("training_sha256"):
        echo("warning: this is the file the model was trained on; these scores are optimistic "
             "(the model card has held-out scores)")
    echo(format_evaluations([evaluate_model(model, data), evaluate_rules(data)]))
    return 0
