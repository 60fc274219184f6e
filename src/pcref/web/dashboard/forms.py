"""Filters for the dashboard pages: GET forms of NHS.UK selects that work without
JavaScript. Choices come from the run being shown; a value that is not one of them is an
error on the page (with the default used meanwhile), never a silent change of subject."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

#: Value of the family filter meaning every family.
ALL_FAMILIES = ""


class _ChoicesForm(forms.Form):
    """A filter form whose fields' choices are given when it is made, with a default for
    each field used when the query string leaves it out."""

    def __init__(self, data, choices: dict[str, Sequence[tuple[str, str]]],
                 defaults: dict[str, str]) -> None:
        given = {name: data[name] for name in choices if name in data}
        super().__init__({**defaults, **given})
        self.defaults = defaults
        for name, options in choices.items():
            self.fields[name].choices = list(options)

    def chosen(self) -> dict[str, str]:
        """Each field's valid value, or its default where the value given is not valid."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, self.defaults[name]) for name in self.fields}

    def select_params(self) -> list[dict[str, Any]]:
        """Parameters for the NHS.UK ``select`` macro, one per field, with the value in use
        selected; a field with a single choice is marked ``hidden`` (nothing to choose)."""
        chosen = self.chosen()
        params = []
        for bound in self:
            choices = list(bound.field.choices)
            item = {
                "id": bound.id_for_label,
                "name": bound.html_name,
                "label": {"text": str(bound.label)},
                "items": [
                    {"value": value, "text": str(text), "selected": value == chosen[bound.name]}
                    for value, text in choices
                ],
                "hidden": len(choices) < 2,
                "value": chosen[bound.name],
            }
            if bound.errors:
                item["errorMessage"] = {"text": str(bound.errors[0])}
            params.append(item)
        return params


def _period_field(label: str = "Period") -> forms.ChoiceField:
    """The period filter every dashboard page has (its choices are the run's periods)."""
    return forms.ChoiceField(label=label, error_messages={
        "invalid_choice": "Select a period from the list"})


class GapsFilterForm(_ChoicesForm):
    """Period, family of metrics and ethnicity breakdown for the biggest gaps."""

    period = _period_field()
    family = forms.ChoiceField(label="Family of measures", required=False, error_messages={
        "invalid_choice": "Select a family of measures from the list"})
    breakdown = forms.ChoiceField(label="Ethnic groups", error_messages={
        "invalid_choice": "Select 5 or 16 ethnic groups"})


class MetricFilterForm(_ChoicesForm):
    """Period, breakdown and statistic for a metric's page."""

    period = _period_field()
    breakdown = forms.ChoiceField(label="Break down by", error_messages={
        "invalid_choice": "Select a breakdown from the list"})
    statistic = forms.ChoiceField(label="Statistic", error_messages={
        "invalid_choice": "Select a statistic from the list"})


class PeriodForm(_ChoicesForm):
    """The period a team page shows."""

    period = _period_field()


class DataQualityForm(_ChoicesForm):
    """Which recording-quality metric, period, statistic over time, time unit and team the
    data-quality page shows."""

    metric = forms.ChoiceField(label="Characteristic", error_messages={
        "invalid_choice": "Select a characteristic from the list"})
    period = _period_field("Period for the team ranking")
    statistic = forms.ChoiceField(label="Over time: statistic", error_messages={
        "invalid_choice": "Select coverage, validity or accuracy"})
    time = forms.ChoiceField(label="Over time: by", error_messages={
        "invalid_choice": "Select months or quarters"})
    team = forms.ChoiceField(label="Over time: team", required=False, error_messages={
        "invalid_choice": "Select a team from the list"})
