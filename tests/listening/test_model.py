"""The trainable model: it learns separable themes, saves and loads faithfully, says what it
learnt, and the CLI trains and evaluates with clear errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import sklearn
from typer.testing import CliRunner

from pcref.cli import app
from pcref.listening.evaluation import (
    evaluate_model,
    held_out_split,
    score_sentiment,
    score_themes,
)
from pcref.listening.labelled import read_labelled
from pcref.listening.model import CARD_FILE, FeedbackModel, ModelError
from pcref.listening.themes import NO_USABLE_TEXT

from .conftest import labelled_rows

PARKING = "Parking"
STAFF = "Staff manner & personal attributes"
FOOD = "Food & drink provision & facilities"


@pytest.fixture
def model(write_labelled) -> FeedbackModel:
    return FeedbackModel.fit(read_labelled(write_labelled()))


def test_learns_clearly_separable_themes_and_sentiment(model: FeedbackModel) -> None:
    texts = ["nowhere to park the car", "kind and caring nurses", "cold food and late meals",
             "Did not answer"]
    predictions = model.predict(texts)
    assert [p.themes for p in predictions] == [(PARKING,), (STAFF,), (FOOD,), (NO_USABLE_TEXT,)]
    assert predictions[1].sentiment == "positive"
    assert predictions[3].sentiment == "neutral"


def test_card_records_data_hash_labels_and_what_was_not_learnt(write_labelled) -> None:
    rows = labelled_rows()
    header = ["Comment ID", "Respondent ID", "FFT question", "FFT answer", "Comment sentiment",
              PARKING, STAFF, FOOD]
    rows = [[*r, "1" if i < 3 else ""] for i, r in enumerate(rows)]
    path = write_labelled(rows, [*header, "Discharge"])
    fitted = FeedbackModel.fit(read_labelled(path))
    card = fitted.card
    assert card["training_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert card["label_set"] == [STAFF, "Discharge", FOOD, PARKING]
    assert card["themes_learnt"] == [STAFF, FOOD, PARKING]
    assert card["themes_not_learnt"] == {"Discharge": "3 positive comments (fewer than 5)"}
    assert card["comments"] == 60 and card["comments_with_usable_text"] == 54
    assert card["scikit_learn_version"] == sklearn.__version__
    # Themes with fewer than 20 training examples are rule-assisted, learnt or not.
    assert card["rule_assisted_themes"] == [STAFF, "Discharge", FOOD, PARKING]  # 18, 3, 18, 18
    (prediction,) = fitted.predict(["I was discharged too early"])
    assert "Discharge" in prediction.themes


def test_equality_theme_is_always_rule_assisted(write_labelled) -> None:
    equality = "Equality, diversity and racism"
    header = ["Comment ID", "FFT answer", "Comment sentiment", equality]
    rows = [[f"r{i}", f"treated unfairly because of my race, visit {i}", "5", "1"]
            for i in range(30)]
    rows += [[f"s{i}", f"the ward was fine, visit {i}", "2", ""] for i in range(30)]
    fitted = FeedbackModel.fit(read_labelled(write_labelled(rows, header)))
    assert fitted.card["themes_learnt"] == [equality]
    assert fitted.card["rule_assisted_themes"] == [equality]
    (prediction,) = fitted.predict(["No interpreter was offered to my father"])
    assert prediction.themes == (equality,)


def test_save_and_load_give_the_same_predictions(model: FeedbackModel, tmp_path: Path) -> None:
    texts = ["parking was dreadful", "rude staff", "nice lunch", ""]
    model.save(tmp_path / "m")
    loaded = FeedbackModel.load(tmp_path / "m")
    assert loaded.predict(texts) == model.predict(texts)
    assert loaded.card == model.card


def test_load_refuses_a_model_from_another_scikit_learn(model, tmp_path: Path) -> None:
    model.save(tmp_path / "m")
    card = json.loads((tmp_path / "m" / CARD_FILE).read_text())
    card["scikit_learn_version"] = "0.0.1"
    (tmp_path / "m" / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"trained with scikit-learn 0\.0\.1.*retrain"):
        FeedbackModel.load(tmp_path / "m")
    with pytest.raises(ModelError, match="not a feedback model folder"):
        FeedbackModel.load(tmp_path / "elsewhere")


def test_nothing_to_learn_is_a_clear_error(write_labelled) -> None:
    path = write_labelled([["a", "r", "", "some text", "", "1", "", ""]])
    with pytest.raises(ModelError, match="nothing to learn"):
        FeedbackModel.fit(read_labelled(path))


def test_held_out_split_keeps_each_respondent_on_one_side(write_labelled) -> None:
    data = read_labelled(write_labelled())
    train, test = held_out_split(data)
    assert len(train) + len(test) == len(data)
    assert not {data.groups[i] for i in train} & {data.groups[i] for i in test}
    again = held_out_split(data)
    assert list(again[0]) == list(train) and list(again[1]) == list(test)


def test_scores_on_a_hand_worked_case() -> None:
    import pandas as pd

    truth = pd.DataFrame({"A": [True, True, False, False], "B": [False, False, True, False]})
    predicted = pd.DataFrame({"A": [True, False, True, False], "B": [False, False, True, False]})
    scores = score_themes(truth, predicted)
    # A: tp 1, fp 1, fn 1 -> F1 0.5; B: tp 1 -> F1 1.0; pooled tp 2, fp 1, fn 1 -> 2/3.
    assert scores.per_label["A"].f1 == pytest.approx(0.5)
    assert scores.macro_f1 == pytest.approx(0.75)
    assert scores.micro_f1 == pytest.approx(2 / 3)
    sentiment = score_sentiment(["positive", None, "negative", "negative"],
                                ["positive", "negative", "negative", "neutral"])
    assert sentiment.n == 3 and sentiment.accuracy == pytest.approx(2 / 3)


def test_evaluation_sets_aside_comments_without_text(model, write_labelled) -> None:
    evaluation = evaluate_model(model, read_labelled(write_labelled()))
    assert evaluation.set_aside_no_usable_text == 6
    assert evaluation.comments_scored == 54
    assert NO_USABLE_TEXT not in evaluation.themes.per_label


def test_cli_trains_then_evaluates(write_labelled, tmp_path: Path) -> None:
    path = write_labelled(labelled_rows(copies=8))
    runner = CliRunner()
    trained = runner.invoke(app, ["feedback", "train", "--labelled", str(path),
                                  "--out", str(tmp_path / "model")])
    assert trained.exit_code == 0, trained.output
    assert "held-out scores" in trained.output
    card = json.loads((tmp_path / "model" / CARD_FILE).read_text())
    assert card["held_out"]["available"] is True
    assert card["held_out"]["model"]["themes"]["micro_f1"] > 0.9
    assert card["trained_at"].endswith("+00:00")
    evaluated = runner.invoke(app, ["feedback", "evaluate", "--model", str(tmp_path / "model"),
                                    "--labelled", str(path)])
    assert evaluated.exit_code == 0, evaluated.output
    assert "optimistic" in evaluated.output
    assert "themes: macro F1" in evaluated.output and "Parking (24)" in evaluated.output


def test_cli_reports_a_bad_file_with_row_and_column(write_labelled, tmp_path: Path) -> None:
    path = write_labelled([["a", "r", "", "text", "9", "", "", ""]])
    result = CliRunner().invoke(app, ["feedback", "train", "--labelled", str(path),
                                      "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "row 2, column 'Comment sentiment'" in result.output
    assert not (tmp_path / "m").exists()


def test_cli_says_when_there_are_too_few_respondents_to_hold_out(write_labelled, tmp_path):
    path = write_labelled(labelled_rows(copies=2))  # 8 respondents
    result = CliRunner().invoke(app, ["feedback", "train", "--labelled", str(path),
                                      "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "fewer than 20 respondents" in result.output
    card = json.loads((tmp_path / "m" / CARD_FILE).read_text())
    assert card["held_out"]["available"] is False
    assert card["themes_learnt"] == [STAFF, FOOD, PARKING]  # 6 examples each
