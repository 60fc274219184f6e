"""Forms for the action plan and self-assessments, with messages in the NHS.UK error
pattern ("Enter …", "Select …", naming what was expected)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator

from pcref.web.engagement.forms import DATE_FORMATS, DATE_HINT
from pcref.web.governance.choices import (
    ASSESSMENT_ITEMS,
    SCORE_MEANINGS,
    ActionStatus,
    Competency,
    PriorityArea,
    Rag,
    Score,
)
from pcref.web.governance.evidence import ALLOWED, check_upload, max_bytes
from pcref.web.governance.models import TEXT_LIMIT

#: The RAG choice meaning "work it out from the status and dates".
DERIVED = "derived"


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, help_text=DATE_HINT, input_formats=DATE_FORMATS,
        error_messages={"required": f"Enter the {label.lower()}",
                        "invalid": f"{label} must be a real date, like 27 3 2026"},
        **kwargs,
    )  # fmt: skip


def _text(label: str, *, required: bool = True, missing: str = "", max_length: int = TEXT_LIMIT,
          textarea: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={"required": missing or f"Enter the {label.lower()}",
                        "max_length": f"{label} must be {max_length} characters or fewer"},
        **kwargs,
    )  # fmt: skip


class ActionForm(forms.Form):
    """Create or change an action of the local PCREF plan."""

    title = _text("Title", max_length=200, textarea=False,
                  help_text="What will be done, in a line, e.g. 'Culturally appropriate "
                  "advocacy on every acute ward'.")  # fmt: skip
    description = _text("Description", required=False,
                        help_text="What the action involves and what it should change.")
    priority_area = forms.ChoiceField(
        label="Priority area", choices=PriorityArea.choices,
        error_messages={"required": "Select the priority area"},
    )  # fmt: skip
    competencies = forms.MultipleChoiceField(
        label="Organisational competencies", choices=Competency.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The national PCREF competencies this action builds. Select all that apply.",
        error_messages={"required": "Select at least one competency"},
    )  # fmt: skip
    metric_id = forms.ChoiceField(
        label="Metric", required=False,
        help_text="The measure whose gap this action aims to close (from the loaded results "
        "runs). Leave empty if the action is not aimed at one measure.",
    )  # fmt: skip
    ethnic_group = forms.ChoiceField(
        label="Ethnic group", required=False,
        help_text="The group whose gap this action aims to close.",
    )  # fmt: skip
    feedback_themes = forms.MultipleChoiceField(
        label="Feedback themes", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="What people told us that this action answers.",
    )  # fmt: skip
    you_said_we_did = forms.MultipleChoiceField(
        label="'You said, we did' entries", required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    owner = _text("Owner", max_length=200, textarea=False,
                  help_text="Name and role of the person accountable for it.")
    partners = _text("Co-production partners", required=False,
                     help_text="Community groups, VCSE organisations and people with lived "
                     "experience who are shaping it.")  # fmt: skip
    start_date = _date("Start date")
    due_date = _date("Due date")
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices,
                               error_messages={"required": "Select the status"})
    rag_override = forms.ChoiceField(
        label="RAG rating",
        choices=[(DERIVED, "Work it out from the status and dates"), *list(Rag.choices)],
        initial=DERIVED,
        help_text="Set it by hand only when the status and dates do not tell the whole "
        "story, and say why.",
        error_messages={"required": "Select how the RAG rating is decided"},
    )  # fmt: skip
    rag_reason = _text("Why the RAG rating is set by hand", required=False, max_length=500,
                       textarea=False)

    def __init__(self, *args: Any, metric_choices: list[tuple[str, str]],
                 group_choices: list[tuple[str, str]], theme_choices: list[tuple[str, str]],
                 entry_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric_id"].choices = [("", "Not linked to a metric"), *metric_choices]
        self.fields["ethnic_group"].choices = [("", "Not linked to a group"), *group_choices]
        self.fields["feedback_themes"].choices = theme_choices
        self.fields["you_said_we_did"].choices = entry_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be the same as or after the start date")
        if bool(data.get("metric_id")) != bool(data.get("ethnic_group")):
            missing = "ethnic_group" if data.get("metric_id") else "metric_id"
            self.add_error(missing, "Select both a metric and an ethnic group, or neither")
        if data.get("rag_override") not in (None, DERIVED) and not data.get("rag_reason"):
            self.add_error("rag_reason", "Enter why the RAG rating is set by hand")
        if data.get("rag_override") == DERIVED:
            data["rag_override"] = ""
            data["rag_reason"] = ""
        return data


class ProgressUpdateForm(forms.Form):
    on = _date("Date of the update")
    status = forms.ChoiceField(label="Status now", choices=ActionStatus.choices,
                               error_messages={"required": "Select the status now"})
    text = _text("Update", missing="Enter the update",
                 help_text="What has happened since the last update, and what is next.")


class EvidenceForm(forms.Form):
    title = _text("What it shows", max_length=200, textarea=False,
                  missing="Enter what the evidence shows",
                  help_text="For example, 'Ward training attendance, March 2026'.")
    file = forms.FileField(
        label="Upload a file", required=False,
        help_text=f"{ALLOWED}, smaller than {max_bytes() // (1024 * 1024)} MB.",
    )  # fmt: skip
    url = forms.CharField(
        label="Or give a link", required=False, max_length=1000,
        validators=[URLValidator(schemes=["http", "https"],
                                 message="Enter a link that starts with https:// or http://")],
        help_text="For example, a board paper on the trust's website.",
    )  # fmt: skip

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            self.kind = check_upload(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "file" in self.errors or "url" in self.errors:
            return data
        if not data.get("file") and not data.get("url"):
            self.add_error("file", "Upload a file or give a link")
        elif data.get("file") and data.get("url"):
            self.add_error("url", "Give either a file or a link, not both")
        return data


class SelfAssessmentForm(forms.Form):
    """A score and evidence for every Part 1 obligation and competency."""

    assessed_on = _date("Date of the assessment")
    summary = _text("Summary", required=False,
                    help_text="Who took part (including community partners) and what the "
                    "assessment found overall.")  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.value, f"{s.label}: {SCORE_MEANINGS[s.value]}") for s in Score]
        for key, label in ASSESSMENT_ITEMS.items():
            self.fields[f"score_{key}"] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int,
                error_messages={"required": f"Select a score for '{label}'"},
            )  # fmt: skip
            self.fields[f"evidence_{key}"] = _text(
                "Evidence", required=False,
                help_text="What shows this score: documents, links, who agreed it.",
            )  # fmt: skip
