"""Django form fields as NHS.UK design system components.

Templates pass a bound field to :func:`field_params` and hand the result to the
nhsuk-frontend-jinja macro (``input``, ``passwordInput``), and pass the form to
:func:`error_summary_params` for the error summary at the top of the page. This follows
the design system's error pattern (https://service-manual.nhs.uk/design-system/components/
error-summary): every error appears in the summary as a link to its field, and again
beside the field; errors that belong to no single field link to the form's first field.
"""

from __future__ import annotations

from typing import Any

from django import forms


def field_id(bound_field: forms.BoundField) -> str:
    """The HTML id of a field's input (Django's ``id_<name>``)."""
    return bound_field.id_for_label or bound_field.auto_id


def field_params(bound_field: forms.BoundField, **overrides: Any) -> dict[str, Any]:
    """Parameters for an NHS input-type macro for ``bound_field``.

    Label from the field's label, hint from its help text, error message from its first
    error, and its current value (never for password inputs, which are not re-shown).
    ``overrides`` are merged last: e.g. ``autocomplete="username"``, ``width=10``.
    """
    field = bound_field.field
    params: dict[str, Any] = {
        "id": field_id(bound_field),
        "name": bound_field.html_name,
        "label": {"text": str(bound_field.label)},
    }
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    if bound_field.errors:
        params["errorMessage"] = {"text": str(bound_field.errors[0])}
    if not isinstance(field.widget, forms.PasswordInput):
        value = bound_field.value()
        if value not in (None, ""):
            params["value"] = str(value)
    params.update(overrides)
    return params


def choices_params(
    bound_field: forms.BoundField, *, items: list[dict[str, Any]] | None = None, **overrides: Any
) -> dict[str, Any]:
    """Parameters for the NHS ``radios`` or ``checkboxes`` macro for ``bound_field``.

    A choice field gives one item per choice (the empty choice left out), checked when it
    is the field's current value; a true/false field gives one item with value ``yes``
    (``items`` may supply that item's text, e.g. a consent statement). The label is the
    fieldset's legend, the help text its hint. ``overrides`` are merged last.
    """
    field = bound_field.field
    value = bound_field.value()
    if isinstance(field, forms.BooleanField):
        checked = {"yes"} if value else set()
        choices = [("yes", str(bound_field.label))]
    else:
        values = value if isinstance(value, list | tuple) else [value]
        checked = {str(v) for v in values if v not in (None, "")}
        choices = [(str(key), str(text)) for key, text in field.choices if key != ""]
    made = [{"value": key, "text": text, "checked": key in checked} for key, text in choices]
    for item, extra in zip(made, items or [], strict=False):
        item.update(extra)
    params: dict[str, Any] = {
        "idPrefix": field_id(bound_field),
        "name": bound_field.html_name,
        "fieldset": {"legend": {"text": str(bound_field.label), "size": "s"}},
        "items": made,
    }
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    if bound_field.errors:
        params["errorMessage"] = {"text": str(bound_field.errors[0])}
    params.update(overrides)
    return params


def error_summary_params(form: forms.BaseForm | None) -> dict[str, Any] | None:
    """Parameters for the ``errorSummary`` macro, or ``None`` when the form has no errors.

    Field errors come in the order the fields appear on the page; errors for the whole
    form come first and link to the first field, where the user starts to correct them.
    """
    if form is None or not form.is_bound or not form.errors:
        return None
    bound_fields = list(form)
    first = f"#{field_id(bound_fields[0])}" if bound_fields else None
    items = [{"text": str(message), "href": first} for message in form.non_field_errors()]
    for bound_field in bound_fields:
        items.extend(
            {"text": str(message), "href": f"#{field_id(bound_field)}"}
            for message in bound_field.errors
        )
    return {"heading": "There is a problem", "errorList": items}
