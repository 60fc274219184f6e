"""Scoring theme and sentiment predictions the way the QDC project reports them.

Themes are multi-label: micro F1 pools every (comment, theme) decision, so common themes
dominate it; macro F1 averages the per-theme F1s, so a rare theme the model never finds
(Mental Health Act, say) pulls it down. Both are reported, with per-theme precision, recall,
F1 and support. Macro F1 averages only themes present in the scored comments (a theme with
no examples has no meaningful F1). Sentiment is scored by accuracy and macro F1 on three
points, over comments that have a sentiment label.

:func:`held_out_split` is the split used by ``pcref feedback train`` and the benchmark: by
respondent, so one person's answers to the two or three questions never sit on both sides
(they share words and would flatter the score), seeded so it is the same every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupShuffleSplit

from pcref.listening.labelled import LabelledComments
from pcref.listening.model import FeedbackModel
from pcref.listening.sentiment import SENTIMENTS, rule_sentiment
from pcref.listening.themes import NO_USABLE_TEXT, has_usable_text, rule_themes

#: Share of respondents held out for scoring, and the seed of the split.
TEST_FRACTION = 0.25
SPLIT_SEED = 20231001


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ThemeScores:
    micro_f1: float
    macro_f1: float
    per_label: dict[str, LabelScore]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SentimentScores:
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]
    n: int

    def as_dict(self) -> dict:
        return asdict(self)


def held_out_split(
    data: LabelledComments, *, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of training and held-out comments, split by respondent."""
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_fraction, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(data)), groups=np.asarray(data.groups)))
    return np.sort(train), np.sort(test)


def score_themes(truth: pd.DataFrame, predicted: pd.DataFrame) -> ThemeScores:
    """Micro and macro F1 and per-label scores over the columns of ``truth``."""
    labels = list(truth.columns)
    y_true = truth[labels].to_numpy(dtype=bool)
    y_pred = predicted.reindex(columns=labels, fill_value=False).to_numpy(dtype=bool)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, average=None, zero_division=0
    )
    present = support > 0
    per_label = {
        label: LabelScore(float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    return ThemeScores(
        micro_f1=float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
        macro_f1=float(np.mean(f1[present])) if present.any() else float("nan"),
        per_label=per_label,
    )


def score_sentiment(truth: Sequence[str | None], predicted: Sequence[str]) -> SentimentScores:
    """Accuracy and macro F1 over the comments that have a sentiment label."""
    keep = [i for i, t in enumerate(truth) if t is not None]
    y_true = [truth[i] for i in keep]
    y_pred = [predicted[i] for i in keep]
    if not y_true:
        return SentimentScores(float("nan"), float("nan"), {}, 0)
    f1 = f1_score(y_true, y_pred, labels=list(SENTIMENTS), average=None, zero_division=0)
    present = [s in set(y_true) for s in SENTIMENTS]
    return SentimentScores(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(np.mean(f1[present])),
        per_label_f1={s: float(v) for s, v, p in zip(SENTIMENTS, f1, present, strict=True) if p},
        n=len(y_true),
    )


@dataclass(frozen=True)
class Evaluation:
    """Scores of one predictor (the model or the rule baseline) on one labelled file.

    Comments without usable text are set aside: every predictor gives them "Labelling not
    possible" by rule, so they would only flatter the scores.
    """

    predictor: str
    comments_scored: int
    set_aside_no_usable_text: int
    themes: ThemeScores | None
    sentiment: SentimentScores

    def as_dict(self) -> dict:
        return asdict(self)


def _usable_part(data: LabelledComments) -> tuple[LabelledComments, int]:
    usable = np.flatnonzero([has_usable_text(t) for t in data.texts])
    return data.subset(usable), len(data) - len(usable)


def _scored_labels(data: LabelledComments) -> pd.DataFrame:
    return data.themes.drop(columns=[NO_USABLE_TEXT], errors="ignore")


def evaluate_model(model: FeedbackModel, data: LabelledComments) -> Evaluation:
    """Score a fitted model on the labelled comments with usable text."""
    part, set_aside = _usable_part(data)
    texts, questions = list(part.texts), list(part.question_types)
    truth = _scored_labels(part)
    themes = score_themes(truth, model.predict_themes(texts, questions)) if truth.shape[1] else None
    sentiment = score_sentiment(part.sentiment, model.predict_sentiment(texts, questions))
    return Evaluation("model", len(part), set_aside, themes, sentiment)


def evaluate_rules(data: LabelledComments) -> Evaluation:
    """Score the keyword and word-counting baselines on the same comments."""
    part, set_aside = _usable_part(data)
    truth = _scored_labels(part)
    themes = None
    if truth.shape[1]:
        found = [set(rule_themes(text)) for text in part.texts]
        predicted = pd.DataFrame(
            [[label in f for label in truth.columns] for f in found], columns=truth.columns
        )
        themes = score_themes(truth, predicted)
    sentiment = score_sentiment(part.sentiment, [rule_sentiment(t) for t in part.texts])
    return Evaluation("rule baseline", len(part), set_aside, themes, sentiment)


def _figure(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"  # NaN: nothing to score


def format_evaluations(evaluations: Sequence[Evaluation]) -> str:
    """Side-by-side plain-text report: overall figures, then F1 per theme with support."""
    names = [e.predictor for e in evaluations]
    width = 58
    lines = [f"{'':{width}}" + "".join(f"{n:>15}" for n in names)]

    def row(label: str, values: Sequence[str]) -> None:
        lines.append(f"{label:{width}}" + "".join(f"{v:>15}" for v in values))

    row("comments scored", [str(e.comments_scored) for e in evaluations])
    row("set aside (no usable text)", [str(e.set_aside_no_usable_text) for e in evaluations])
    if all(e.themes is not None for e in evaluations):
        row("themes: micro F1", [_figure(e.themes.micro_f1) for e in evaluations])
        row("themes: macro F1", [_figure(e.themes.macro_f1) for e in evaluations])
    row("sentiment (3-point): accuracy", [_figure(e.sentiment.accuracy) for e in evaluations])
    row("sentiment (3-point): macro F1", [_figure(e.sentiment.macro_f1) for e in evaluations])
    for label in SENTIMENTS:
        row(f"sentiment F1: {label}",
            [_figure(e.sentiment.per_label_f1.get(label, float("nan"))) for e in evaluations])
    if evaluations and all(e.themes is not None for e in evaluations):
        lines.append("")
        row("F1 per theme (support)", names)
        for label, score in evaluations[0].themes.per_label.items():
            row(f"{label[:48]} ({score.support})",  # no examples: no F1 to show
                [_figure(e.themes.per_label[label].f1) if score.support else "-"
                 for e in evaluations])
    return "\n".join(lines) + "\n"
