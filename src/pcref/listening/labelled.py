"""Reading labelled comments: the QDC-labelled CSV layout, from the NHS set or a trust's own.

The layout is the one the public NHS labelled set uses (``../shared/reference/feedback/``),
so a trust can label its own comments in a spreadsheet and train on them:

========================  ==================================================================
column                    meaning
========================  ==================================================================
``Comment ID``            required; unique per row
``FFT answer``            required; the comment text (blank and "Did not answer" allowed)
``Respondent ID``         optional; keeps one person's answers on one side of a split
``FFT question``          optional; the question answered (sets the question type)
``Comment sentiment``     optional; 1 very positive … 5 very negative, or blank
one column per theme      ``1`` the theme applies, blank or ``0`` it does not; named as in
                          :data:`pcref.listening.themes.THEME_NAMES`, or as a v6 column the
                          theme table maps (``Number & deployment of staff`` …)
========================  ==================================================================

At least one theme column or ``Comment sentiment`` is needed. Other columns are ignored and
listed. Any bad value stops the read with the file, row (the header is row 1), column and
what was expected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pcref.listening.questions import question_type
from pcref.listening.sentiment import from_five_point
from pcref.listening.themes import THEMES

COMMENT_ID = "Comment ID"
TEXT = "FFT answer"
RESPONDENT_ID = "Respondent ID"
QUESTION = "FFT question"
SENTIMENT = "Comment sentiment"
REQUIRED_COLUMNS = (COMMENT_ID, TEXT)

_TRUE = {"1", "1.0"}
_FALSE = {"", "0", "0.0"}
_FIVE_POINT = {"1", "2", "3", "4", "5", "1.0", "2.0", "3.0", "4.0", "5.0"}


class LabelledFileError(ValueError):
    """A labelled file that cannot be used; the message names file, row and column."""


@dataclass(frozen=True)
class LabelledComments:
    """Comments with their labels, as read from one file.

    ``themes`` has one boolean column per theme the file labels (framework order);
    ``sentiment`` is three-point or ``None`` where the file has no score.
    """

    source: Path
    sha256: str
    comment_ids: tuple[str, ...]
    texts: tuple[str, ...]
    question_types: tuple[str, ...]
    groups: tuple[str, ...]
    themes: pd.DataFrame
    sentiment: tuple[str | None, ...]
    ignored_columns: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, positions: np.ndarray) -> LabelledComments:
        """The comments at ``positions`` (for held-out splits)."""
        pick = [int(p) for p in positions]
        return LabelledComments(
            source=self.source,
            sha256=self.sha256,
            comment_ids=tuple(self.comment_ids[p] for p in pick),
            texts=tuple(self.texts[p] for p in pick),
            question_types=tuple(self.question_types[p] for p in pick),
            groups=tuple(self.groups[p] for p in pick),
            themes=self.themes.iloc[pick].reset_index(drop=True),
            sentiment=tuple(self.sentiment[p] for p in pick),
            ignored_columns=self.ignored_columns,
        )


def _error(path: Path, row: int | None, column: str, message: str) -> LabelledFileError:
    where = f"{path}" + (f", row {row}" if row is not None else "") + f", column {column!r}"
    return LabelledFileError(f"{where}: {message}")


def _flags(path: Path, frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column].str.strip()
    bad = ~values.isin(_TRUE | _FALSE)
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise _error(path, first + 2, column,
                     f"expected 1 (theme applies), 0 or blank, found {values.iloc[first]!r}")
    return values.isin(_TRUE).to_numpy()


def read_labelled(path: Path) -> LabelledComments:
    """Read and check a labelled file in the QDC layout (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise LabelledFileError(f"{path}: no such file")
    raw = path.read_bytes()
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise LabelledFileError(f"{path}: not a readable UTF-8 CSV file ({exc})") from exc
    for column in REQUIRED_COLUMNS:
        if column not in frame.columns:
            raise _error(path, 1, column, "required column is missing from the header")
    ids = frame[COMMENT_ID].str.strip()
    blank = ids == ""
    if blank.any():
        raise _error(path, int(np.flatnonzero(blank.to_numpy())[0]) + 2, COMMENT_ID,
                     "expected a comment identifier, found a blank")
    duplicated = ids.duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise _error(path, row + 2, COMMENT_ID,
                     f"expected a unique identifier, {ids.iloc[row]!r} appears earlier")

    used = set(REQUIRED_COLUMNS) | {RESPONDENT_ID, QUESTION, SENTIMENT}
    themes: dict[str, np.ndarray] = {}
    for theme in THEMES:
        columns = [c for c in (theme.name, *theme.v6_columns) if c in frame.columns]
        if columns:
            themes[theme.name] = np.logical_or.reduce([_flags(path, frame, c) for c in columns])
            used.update(columns)

    sentiment: list[str | None] = [None] * len(frame)
    if SENTIMENT in frame.columns:
        scores = frame[SENTIMENT].str.strip()
        bad = ~(scores.isin(_FIVE_POINT) | (scores == ""))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise _error(path, row + 2, SENTIMENT,
                         f"expected 1-5 (1 very positive, 5 very negative) or blank, "
                         f"found {scores.iloc[row]!r}")
        sentiment = [from_five_point(s) if s else None for s in scores]
    if not themes and SENTIMENT not in frame.columns:
        raise _error(path, 1, SENTIMENT,
                     "no labels: expected a 'Comment sentiment' column or a column named "
                     "after a theme (see docs/listening.md)")

    groups = frame[RESPONDENT_ID].str.strip() if RESPONDENT_ID in frame.columns else ids
    groups = groups.where(groups != "", ids)  # an unknown respondent is their own group
    questions = frame[QUESTION] if QUESTION in frame.columns else pd.Series([""] * len(frame))
    return LabelledComments(
        source=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        comment_ids=tuple(ids),
        texts=tuple(frame[TEXT]),
        question_types=tuple(question_type(q) for q in questions),
        groups=tuple(groups),
        themes=pd.DataFrame(themes, columns=[t.name for t in THEMES if t.name in themes]),
        sentiment=tuple(sentiment),
        ignored_columns=tuple(c for c in frame.columns if c not in used),
    )
