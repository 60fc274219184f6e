"""Reading labelled files: the layout, the v6 column merges, and errors that name the cell."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pcref.listening.labelled import LabelledFileError, read_labelled
from pcref.listening.questions import COULD_IMPROVE, NONSPECIFIC, WHAT_GOOD


def test_reads_texts_labels_sentiment_and_question_types(write_labelled) -> None:
    path = write_labelled()
    data = read_labelled(path)
    assert len(data) == 60
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert list(data.themes.columns) == [
        "Staff manner & personal attributes", "Food & drink provision & facilities", "Parking",
    ]  # framework order, not file order
    assert data.themes["Parking"].sum() == 18
    assert data.sentiment[:4] == ("negative", "negative", "positive", "positive")
    assert data.sentiment[8] == "neutral" and data.sentiment[9] is None
    assert data.question_types[:4] == (COULD_IMPROVE, COULD_IMPROVE, WHAT_GOOD, WHAT_GOOD)
    assert data.question_types[9] == NONSPECIFIC
    assert data.groups[:4] == ("R0-0", "R0-0", "R0-0", "R0-1")


def test_v6_columns_are_merged_into_their_v7_theme(write_labelled) -> None:
    header = ["Comment ID", "FFT answer", "Number & deployment of staff", "Staff responsiveness",
              "Not assigned"]
    rows = [["a", "not enough staff", "1", "", ""], ["b", "nobody came", "", "1", ""],
            ["c", "fine", "0", "0", "1"]]
    data = read_labelled(write_labelled(rows, header))
    assert data.themes["Staffing levels & responsiveness"].tolist() == [True, True, False]
    assert data.ignored_columns == ("Not assigned",)
    assert data.groups == ("a", "b", "c")  # no respondent column: each comment its own group


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (["Comment ID", "Parking"], [["a", "1"]],
         r"row 1, column 'FFT answer': required column is missing"),
        (["Comment ID", "FFT answer", "Parking"], [["a", "x", "1"], ["b", "y", "yes"]],
         r"row 3, column 'Parking': expected 1 \(theme applies\), 0 or blank, found 'yes'"),
        (["Comment ID", "FFT answer", "Parking"], [["a", "x", "1"], ["a", "y", ""]],
         r"row 3, column 'Comment ID': expected a unique identifier, 'a' appears earlier"),
        (["Comment ID", "FFT answer", "Parking"], [["a", "x", "1"], [" ", "y", ""]],
         r"row 3, column 'Comment ID': expected a comment identifier"),
        (["Comment ID", "FFT answer", "Comment sentiment"], [["a", "x", "6"]],
         r"row 2, column 'Comment sentiment': expected 1-5 .* found '6'"),
        (["Comment ID", "FFT answer", "Trust"], [["a", "x", "NEAS"]],
         r"no labels: expected a 'Comment sentiment' column or a column named after a theme"),
    ],
)
def test_bad_files_name_file_row_and_column(write_labelled, header, rows, message) -> None:
    path = write_labelled(rows, header)
    with pytest.raises(LabelledFileError, match=message) as caught:
        read_labelled(path)
    assert str(caught.value).startswith(str(path))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabelledFileError, match="no such file"):
        read_labelled(tmp_path / "nothing.csv")


def test_reads_the_public_nhs_set(reference_dir: Path) -> None:
    data = read_labelled(reference_dir / "feedback" / "fft_labelled_v6.csv")
    assert len(data) == 7908
    assert len(set(data.groups)) == 4466
    # Counts from the reference README; merged themes add their v6 columns.
    assert data.themes["Positive experience & gratitude"].sum() == 1781
    assert data.themes["Labelling not possible"].sum() == 1685
    assert data.themes["Equality, diversity and racism"].sum() == 41
    assert sum(s is not None for s in data.sentiment) == 7908 - 1729
