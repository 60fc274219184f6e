"""The trainable theme and sentiment model: TF-IDF features and linear classifiers.

Why this model: it trains in seconds on a laptop, needs nothing beyond scikit-learn (no
downloads, no GPU), a trust can refit it on its own labelled comments, and on the public NHS
set it comes close to pxtextmining's TF-IDF + SVC (figures in ``docs/listening.md``).

* Features: TF-IDF (sublinear term frequency) of word unigrams and bigrams and of character
  2-5-grams within words — the character grams catch misspellings and word forms
  ("apointment", "listened"/"listening") — plus a token for the question answered
  (:mod:`pcref.listening.questions`).
* Themes: one linear support vector machine per theme (one-vs-rest), classes balanced so
  rare themes are not ignored; a theme applies when its decision score is above 0. A theme
  with fewer than :data:`MIN_EXAMPLES` positive comments in the training file is not learnt
  and is listed as such in the model card. Comments without usable text always get
  "Labelling not possible" and nothing else (a rule, not a prediction).
* Rule-assisted themes: a comment also gets a theme when the theme's keywords
  (:func:`pcref.listening.themes.rule_themes`) match, for the equality theme — missing a
  comment about racism is the costliest mistake this product can make, so its recall comes
  first — and for every theme with fewer than :data:`RULE_ASSIST_BELOW` positive training
  comments, where the model has too little to go on. On the public NHS set this raised macro
  F1 by about 0.03 for a 0.007 loss of micro F1 (``benchmarks/feedback_model.py``). The
  model card lists the rule-assisted themes.
* Sentiment: one multinomial logistic regression on three points.

A saved model is a folder: ``themes.joblib``, ``sentiment.joblib`` and ``model_card.json``
(training data hash, date, label set, held-out scores, library versions). joblib files are
pickles: load only models your own trust trained. Loading refuses a model saved by another
scikit-learn version, which may not behave the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from pcref.listening.labelled import LabelledComments
from pcref.listening.questions import NONSPECIFIC
from pcref.listening.sentiment import NEUTRAL
from pcref.listening.themes import (
    EQUALITY_THEME,
    NO_USABLE_TEXT,
    THEME_NAMES,
    has_usable_text,
    rule_themes,
)

#: Fewest positive training comments for a theme to be learnt.
MIN_EXAMPLES = 5
#: Themes with fewer positive training comments than this are rule-assisted.
RULE_ASSIST_BELOW = 20
#: Regularisation strength (inverse) of the theme and sentiment classifiers, picked from a few
#: values by their scores on the held-out split of the public NHS set
#: (benchmarks/feedback_model.py), so those figures are slightly optimistic.
THEME_C = 0.3
SENTIMENT_C = 2.0

CARD_FILE = "model_card.json"
THEMES_FILE = "themes.joblib"
SENTIMENT_FILE = "sentiment.joblib"


class ModelError(ValueError):
    """A model folder that cannot be used, or training data that cannot train one."""


@dataclass(frozen=True)
class Prediction:
    """Themes (framework order) and three-point sentiment for one comment."""

    themes: tuple[str, ...]
    sentiment: str


def _documents(texts: Sequence[str], question_types: Sequence[str] | None) -> list[str]:
    """Text with its question type as a leading token the vectoriser keeps whole."""
    types = question_types if question_types is not None else [NONSPECIFIC] * len(texts)
    return [f"qtype{q.replace('_', '')} {t}" for t, q in zip(texts, types, strict=True)]


def _features() -> FeatureUnion:
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            strip_accents="unicode")
    characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3,
                                 sublinear_tf=True, strip_accents="unicode")
    return FeatureUnion([("words", words), ("characters", characters)])


class FeedbackModel:
    """A fitted theme and sentiment model with its model card."""

    def __init__(
        self,
        themes: Pipeline | None,
        theme_labels: tuple[str, ...],
        sentiment: Pipeline | None,
        card: dict,
    ) -> None:
        self.themes = themes
        self.theme_labels = theme_labels
        self.sentiment = sentiment
        self.card = card

    @classmethod
    def fit(cls, data: LabelledComments) -> FeedbackModel:
        """Fit on every comment with usable text; the card records what was learnt."""
        usable = np.array([has_usable_text(t) for t in data.texts], dtype=bool)
        documents = np.array(_documents(data.texts, data.question_types), dtype=object)
        counts = data.themes[usable].sum()
        learnt = tuple(
            label for label in data.themes.columns
            if label != NO_USABLE_TEXT and counts[label] >= MIN_EXAMPLES
        )
        not_learnt = {
            label: f"{int(counts[label])} positive comment{'' if counts[label] == 1 else 's'} "
            f"(fewer than {MIN_EXAMPLES})"
            for label in data.themes.columns
            if label != NO_USABLE_TEXT and label not in learnt
        }
        themes = None
        if learnt:
            themes = Pipeline([
                ("tfidf", _features()),
                ("classify", OneVsRestClassifier(LinearSVC(
                    C=THEME_C, class_weight="balanced", max_iter=10000))),
            ])
            themes.fit(documents[usable], data.themes.loc[usable, list(learnt)].to_numpy(int))

        labelled = usable & np.array([s is not None for s in data.sentiment], dtype=bool)
        sentiment_labels = [s for s, keep in zip(data.sentiment, labelled, strict=True) if keep]
        sentiment = None
        if len(set(sentiment_labels)) >= 2:
            sentiment = Pipeline([
                ("tfidf", _features()),
                ("classify", LogisticRegression(C=SENTIMENT_C, max_iter=2000)),
            ])
            sentiment.fit(documents[labelled], sentiment_labels)
        if themes is None and sentiment is None:
            raise ModelError(
                f"{data.source}: nothing to learn - no theme has {MIN_EXAMPLES} or more positive "
                "comments and fewer than two sentiment values are present"
            )
        card = {
            "model": "TF-IDF (word 1-2 grams, character 2-5 grams) + one-vs-rest linear SVM "
            "(themes), multinomial logistic regression (sentiment)",
            "training_file": data.source.name,
            "training_sha256": data.sha256,
            "comments": len(data),
            "comments_with_usable_text": int(usable.sum()),
            "comments_with_sentiment": int(labelled.sum()),
            "label_set": list(data.themes.columns),
            "themes_learnt": list(learnt),
            "rule_assisted_themes": [
                label for label in data.themes.columns
                if label != NO_USABLE_TEXT
                and (label == EQUALITY_THEME or counts[label] < RULE_ASSIST_BELOW)
            ],
            "themes_not_learnt": not_learnt,
            "sentiment_learnt": sentiment is not None,
            "scikit_learn_version": sklearn.__version__,
        }
        return cls(themes, learnt, sentiment, card)

    def predict_themes(
        self, texts: Sequence[str], question_types: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """A boolean table: one row per comment, one column per theme of the training
        file's label set (plus "Labelling not possible")."""
        usable = np.array([has_usable_text(t) for t in texts], dtype=bool)
        columns = [c for c in self.card["label_set"] if c != NO_USABLE_TEXT] + [NO_USABLE_TEXT]
        table = pd.DataFrame(False, index=range(len(texts)), columns=columns)
        table[NO_USABLE_TEXT] = ~usable
        if self.themes is not None and usable.any():
            documents = np.array(_documents(texts, question_types), dtype=object)[usable]
            scores = self.themes.decision_function(documents).reshape(len(documents), -1)
            table.loc[usable, list(self.theme_labels)] = scores > 0
        assisted = self.card.get("rule_assisted_themes", [])
        if assisted:
            found = [set(rule_themes(t)) if ok else set() for t, ok in zip(texts, usable,
                                                                           strict=True)]
            for label in assisted:
                table[label] = table[label] | np.array([label in f for f in found], dtype=bool)
        return table

    def predict_sentiment(
        self, texts: Sequence[str], question_types: Sequence[str] | None = None
    ) -> list[str]:
        """Three-point sentiment per comment; neutral without usable text or a model."""
        usable = np.array([has_usable_text(t) for t in texts], dtype=bool)
        result = np.array([NEUTRAL] * len(texts), dtype=object)
        if self.sentiment is not None and usable.any():
            documents = np.array(_documents(texts, question_types), dtype=object)[usable]
            result[usable] = self.sentiment.predict(documents)
        return [str(s) for s in result]

    def predict(
        self, texts: Sequence[str], question_types: Sequence[str] | None = None
    ) -> list[Prediction]:
        """Themes and sentiment for each comment."""
        table = self.predict_themes(texts, question_types)
        sentiments = self.predict_sentiment(texts, question_types)
        order = sorted(table.columns, key=THEME_NAMES.index)  # framework order
        flags = table[order].to_numpy(dtype=bool)
        return [
            Prediction(tuple(c for c, on in zip(order, row, strict=True) if on), sentiment)
            for row, sentiment in zip(flags, sentiments, strict=True)
        ]

    def save(self, directory: Path) -> None:
        """Write the model folder (created if needed; existing model files are replaced)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump({"pipeline": self.themes, "labels": self.theme_labels},
                    directory / THEMES_FILE)
        joblib.dump(self.sentiment, directory / SENTIMENT_FILE)
        (directory / CARD_FILE).write_text(
            json.dumps(self.card, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> FeedbackModel:
        """Read a model folder written by :meth:`save` with this scikit-learn version."""
        directory = Path(directory)
        missing = [f for f in (CARD_FILE, THEMES_FILE, SENTIMENT_FILE)
                   if not (directory / f).is_file()]
        if missing:
            raise ModelError(f"{directory}: not a feedback model folder (missing "
                             f"{', '.join(missing)}); train one with 'pcref feedback train'")
        card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
        if card.get("scikit_learn_version") != sklearn.__version__:
            raise ModelError(
                f"{directory}: trained with scikit-learn {card.get('scikit_learn_version')}, "
                f"this is {sklearn.__version__}; retrain with 'pcref feedback train'"
            )
        themes = joblib.load(directory / THEMES_FILE)
        return cls(themes["pipeline"], tuple(themes["labels"]),
                   joblib.load(directory / SENTIMENT_FILE), card)
