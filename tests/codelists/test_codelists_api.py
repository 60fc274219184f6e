"""Behaviour of the ``pcref.codelists`` API: lookups, vectorised mapping, errors, caching."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pcref import codelists


@pytest.fixture
def fresh_caches():
    """Clear the loader caches before and after a test that swaps the data files."""
    caches = (codelists._index, codelists._frame, codelists.codes, codelists._lookup)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def test_codes_is_a_frozenset_of_strings_with_leading_zeros():
    codes = codelists.codes("mha_legal_status")
    assert isinstance(codes, frozenset)
    assert "01" in codes and "1" not in codes


def test_label_returns_the_label():
    assert codelists.label("ethnic_category", "N") == "Black or Black British - African"
    assert codelists.label("restrictive_intervention_type", "14") == (
        "Chemical restraint - Injection (Rapid Tranquillisation)"
    )


def test_label_of_unknown_code_names_list_and_code():
    with pytest.raises(KeyError) as caught:
        codelists.label("mha_legal_status", "11")
    message = str(caught.value)
    assert "'11'" in message and "mha_legal_status" in message


@pytest.mark.parametrize("code", [1, None, ("0", "1")])
def test_label_of_non_string_code_is_a_key_error(code):
    with pytest.raises(KeyError, match="attendance"):
        codelists.label("attendance", code)


def test_unknown_list_name_lists_the_available_ones():
    with pytest.raises(KeyError) as caught:
        codelists.codes("ethnicity")
    assert "ethnicity" in str(caught.value) and "ethnic_category" in str(caught.value)
    with pytest.raises(KeyError):
        codelists.info("nope")


def test_map_codes_is_vectorised_and_keeps_the_index():
    values = pd.Series(["N", "A", "Z", "X", None, "R"], index=[10, 11, 12, 13, 14, 15])
    mapped = codelists.map_codes("ethnic_category", values, to="ethnic_group_5")
    assert mapped.index.tolist() == values.index.tolist()
    assert isinstance(mapped.dtype, pd.StringDtype)
    assert mapped.tolist()[:2] == ["Black or Black British", "White"]
    assert mapped.isna().tolist() == [False, False, True, True, True, False]
    assert mapped[15] == "Other Ethnic Groups"


def test_map_codes_defaults_to_labels_and_accepts_lists():
    mapped = codelists.map_codes("attendance", ["5", "3", "9"])
    assert mapped.tolist()[:2] == [
        "Attended on time or, if late, before the relevant professional was ready to see "
        "the patient",
        "Did not attend, no advance warning given",
    ]
    assert pd.isna(mapped.iloc[2])


def test_map_codes_is_exact():
    mapped = codelists.map_codes("ethnic_category", pd.Series(["n", " N", "N "]))
    assert mapped.isna().all()


def test_map_codes_accepts_string_and_categorical_series():
    strings = pd.Series(["01", pd.NA, "20"], dtype="string")
    assert codelists.map_codes("mha_legal_status", strings, to="nhse_group").tolist()[0] == (
        "Informal"
    )
    categories = pd.Series(["19", "20", None], dtype="category")
    flags = codelists.map_codes("mha_legal_status", categories, to="place_of_safety")
    assert flags.tolist()[:2] == ["Y", "Y"] and pd.isna(flags.iloc[2])


def test_map_codes_refuses_numbers_with_a_clear_message():
    with pytest.raises(TypeError, match="dtype=str"):
        codelists.map_codes("mha_legal_status", pd.Series([1, 2]))
    with pytest.raises(TypeError, match=r"row 'b' holds 2\.0"):
        codelists.map_codes("mha_legal_status", pd.Series(["01", 2.0], index=["a", "b"]))


def test_map_codes_allows_all_missing_object_series():
    mapped = codelists.map_codes("ethnic_category", pd.Series([None, np.nan], dtype=object))
    assert mapped.isna().all()


def test_map_codes_to_an_unknown_column_lists_the_choices():
    with pytest.raises(KeyError) as caught:
        codelists.map_codes("ethnic_category", ["A"], to="group")
    assert "ethnic_group_5" in str(caught.value)
    with pytest.raises(KeyError):
        codelists.map_codes("ethnic_category", ["A"], to="code")


def test_load_returns_a_copy():
    first = codelists.load("attendance")
    first.loc[0, "label"] = "changed"
    assert codelists.load("attendance").loc[0, "label"] != "changed"


def test_info_returns_a_copy():
    entry = codelists.info("ethnic_category")
    entry["unknown_codes"].append("A")
    assert codelists.info("ethnic_category")["unknown_codes"] == ["Z", "99"]


def test_matches_prefix_on_icd10_codes():
    values = pd.Series(["F00.1", "f019", "F03X", "G30", "F32.1", "G3", None, "XF00"])
    assert codelists.matches_prefix("diagnosis_dementia", values).tolist() == [
        True, True, True, True, False, False, False, False,
    ]  # fmt: skip


def test_matches_prefix_refuses_exact_lists():
    with pytest.raises(ValueError, match="exactly"):
        codelists.matches_prefix("ethnic_category", ["A"])


# --- the loader's own checks of the shipped files ----------------------------------------------


def _swap_file(monkeypatch, filename: str, text: str) -> None:
    real = codelists._data_text

    def fake(name: str) -> str:
        return text if name == filename else real(name)

    monkeypatch.setattr(codelists, "_data_text", fake)


@pytest.mark.parametrize(
    ("filename", "text", "problem"),
    [
        ("disability.csv", "code,label\n01,A\n01,B\nZZ,C\n", "duplicated code '01'"),
        ("disability.csv", "code,label\n01,A\n02,\nZZ,C\n", "blank label on line 3"),
        ("disability.csv", "code,label\n01,A\n 02,B\nZZ,C\n", "surrounding spaces"),
        ("attendance.csv", "label,code\nAttended,5\n", "must start with 'code,label'"),
        ("attendance.csv", "code,label,attended,did_not_attend\n5,A,yes,\n", "column 'attended'"),
        ("attendance.csv", "code,label,attended\n5,A,Y\n", "mapping columns"),
    ],
)
def test_malformed_files_are_reported(monkeypatch, fresh_caches, filename, text, problem):
    _swap_file(monkeypatch, filename, text)
    with pytest.raises(codelists.CodelistError, match=problem):
        codelists.load(filename.removesuffix(".csv"))


def test_unknown_codes_must_be_codes_of_the_list(monkeypatch, fresh_caches):
    _swap_file(monkeypatch, "interpreter_required.csv", "code,label\nY,Yes\nN,No\n")
    with pytest.raises(codelists.CodelistError, match=r"unknown_codes \['Z'\]"):
        codelists.codes("interpreter_required")
