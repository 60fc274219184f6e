"""Configurations load, are checked with errors that name the key, and no_disparity removes
every injected disparity."""

from __future__ import annotations

import numpy as np
import pytest

from pcref.synth.config import ConfigError, load_config
from pcref.synth.generate import generate
from pcref.synth.groups import GROUP_KEYS, WHITE_BRITISH, group_vector


def test_default_headline_disparity():
    config = load_config("default")
    detention = config.group_values("detention")
    for group in ("african", "caribbean", "other_black"):
        assert detention[GROUP_KEYS.index(group)] == 3.5
    assert detention[WHITE_BRITISH] == 1.0
    wait = config.group_values("memory_wait")
    for group in ("indian", "pakistani", "bangladeshi"):
        assert wait[GROUP_KEYS.index(group)] == 1.5


def test_no_disparity_sets_every_group_to_the_reference():
    default = load_config("default")
    none = load_config("no_disparity")
    assert set(none["disparities"]) == set(default["disparities"])
    for name, spec in none["disparities"].items():
        if spec["kind"] == "factor":
            assert spec["factor"] == 1.0, name
            continue
        values = none.group_values(name)
        assert np.all(values == values[WHITE_BRITISH]), name
        if spec["kind"] == "ratio":
            assert np.all(values == 1.0), name
        # the default really does inject something there
        assert not np.all(default.group_values(name) == values), name
    # everything that is not a disparity is unchanged
    for section in default.data:
        if section not in ("disparities", "name", "description"):
            assert none[section] == default[section], section


def test_aggregates_are_overridden_by_specific_groups():
    values = group_vector({"black": 2.0, "african": 3.0, "south_asian": 0.5}, 1.0)
    assert values[GROUP_KEYS.index("african")] == 3.0
    assert values[GROUP_KEYS.index("caribbean")] == 2.0
    assert values[GROUP_KEYS.index("indian")] == 0.5
    assert values[GROUP_KEYS.index("chinese")] == 1.0
    with pytest.raises(KeyError, match="unknown ethnic group"):
        group_vector({"martian": 2.0}, 1.0)


@pytest.mark.parametrize(("text", "message"), [
    ("extends: default\ndisparities:\n  detention: {by_group: {black: -1}}\n",
     r"disparities\.detention\.by_group\.black: expected a number >= 0\.0"),
    ("extends: default\nservices:\n  cmht: {type: A03}\n",
     r"services\.cmht\.type: expected codes from the code list 'team_type'"),
    ("extends: default\ndemographics:\n  languages:\n    roma: {xx: 1.0}\n",
     r"demographics\.languages\.roma: expected codes from the code list 'preferred_language'"),
    ("extends: default\nmental_health_act:\n  trend_by_year: [1.0]\n",
     r"mental_health_act\.trend_by_year: expected 3 multipliers"),
    ("extends: nowhere\n", r"extends: expected one of"),
    ("name: [unclosed\n", r"not valid YAML"),
])
def test_bad_configurations_are_refused_naming_the_key(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(path) in str(error.value)


def test_missing_file_and_bad_options_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="expected default or no_disparity or a YAML"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path / "x", scale="galaxy")
    with pytest.raises(ValueError, match="defects"):
        generate(tmp_path / "x", defects="some")
    with pytest.raises(ValueError, match="format"):
        generate(tmp_path / "x", people=300, file_format="xlsx")


def test_truth_records_config_seed_and_every_disparity(clean_extract):
    truth = clean_extract.truth
    assert truth["generator"]["seed"] == 7
    assert truth["config"]["disparities"]["detention"]["by_group"]["black"] == 3.5
    ids = {d["id"] for d in truth["disparities"]}
    assert {"detention_rate", "community_treatment_orders", "restrictive_interventions",
            "referral_via_justice_system", "memory_assessment_wait", "neurodevelopmental_wait",
            "transition_first_adult_appointment", "transition_engaged_12_months",
            "did_not_attend_by_interpreter_need", "memory_assessment_referrals"} <= ids
    for entry in truth["disparities"]:
        assert entry["definition"] and entry["expected"] and entry["parameter"], entry["id"]
