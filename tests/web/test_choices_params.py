"""``choices_params``: Django choice and true/false fields as NHS radios and checkboxes."""

from django import forms

from pcref.web.core.nhsuk_forms import choices_params


class Example(forms.Form):
    colours = forms.MultipleChoiceField(
        label="Colours", choices=(("red", "Red"), ("blue", "Blue")), help_text="Pick any"
    )
    size = forms.ChoiceField(label="Size", choices=(("", "Choose"), ("s", "Small"), ("l", "Large")))
    agree = forms.BooleanField(label="I agree")


def test_multiple_choices_become_checked_items_with_legend_and_hint():
    params = choices_params(Example({"colours": ["blue"]})["colours"])
    assert params["idPrefix"] == "id_colours" and params["name"] == "colours"
    assert params["fieldset"]["legend"]["text"] == "Colours"
    assert params["hint"] == {"text": "Pick any"}
    assert params["items"] == [
        {"value": "red", "text": "Red", "checked": False},
        {"value": "blue", "text": "Blue", "checked": True},
    ]


def test_the_empty_choice_is_left_out_and_errors_are_shown():
    form = Example({"size": "xl"})
    form.is_valid()
    params = choices_params(form["size"])
    assert [item["value"] for item in params["items"]] == ["s", "l"]
    assert params["errorMessage"]["text"].startswith("Select a valid choice")


def test_a_true_false_field_is_one_yes_item_and_overrides_win():
    params = choices_params(
        Example({"agree": "yes"})["agree"], fieldset={"legend": {"text": "Agreement"}}
    )
    assert params["items"] == [{"value": "yes", "text": "I agree", "checked": True}]
    assert params["fieldset"] == {"legend": {"text": "Agreement"}}
    assert choices_params(Example({})["agree"])["items"][0]["checked"] is False
