"""Forms for moderators and the PCREF lead, with NHS.UK-style error messages
(https://service-manual.nhs.uk/design-system/components/error-message)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from pcref.web.accounts.roles import MODERATE_FEEDBACK
from pcref.web.moderation.models import (
    NOTE_LIMIT,
    TEXT_LIMIT,
    ActionStatus,
    ModerationStatus,
    SafeguardingOutcome,
    Sentiment,
)

NOBODY = "nobody"


def moderators() -> Any:
    """Active accounts allowed to moderate feedback (directly or through their role)."""
    app_label, codename = MODERATE_FEEDBACK.split(".")
    directly = Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    by_role = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    holds = directly | by_role
    return get_user_model().objects.filter(holds, is_active=True).distinct().order_by("username")


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class AssignForm(forms.Form):
    """Who is dealing with a safeguarding review: me, a colleague, or nobody."""

    assignee = forms.ChoiceField(
        label="Who should review this?",
        error_messages={"required": "Select who should review this"},
    )

    def __init__(self, *args: Any, me: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        colleagues = [user for user in moderators() if user.pk != me.pk]
        self.fields["assignee"].choices = [
            (str(me.pk), f"Me ({_name(me)})"),
            *((str(user.pk), _name(user)) for user in colleagues),
            (NOBODY, "Nobody for now"),
        ]
        self._people = {str(me.pk): me, **{str(user.pk): user for user in colleagues}}

    def chosen(self) -> Any:
        """The account chosen, or ``None`` for nobody."""
        return self._people.get(self.cleaned_data["assignee"])


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=SafeguardingOutcome.choices,
        error_messages={"required": "Select the outcome of the review"},
    )
    note = forms.CharField(
        label="What was done and why",
        help_text=(
            "For example, who was contacted and when. Staff read this; it is never published."
        ),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter what was done and why",
            "max_length": f"The note must be {NOTE_LIMIT} characters or fewer",
        },
    )


def _public_text(label: str) -> forms.CharField:
    """The public version of one of the comment's answers, edited by the moderator."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text="Remove staff names and personal details. Leave empty to publish nothing "
        "from this answer.",
        error_messages={"max_length": f"The public text must be {TEXT_LIMIT} characters or fewer"},
    )


class ModerationForm(forms.Form):
    """Themes, sentiment, the public text and the decision for one comment."""

    themes = forms.MultipleChoiceField(
        label="Themes", required=False, widget=forms.CheckboxSelectMultiple
    )
    sentiment = forms.ChoiceField(
        label="Sentiment", choices=Sentiment.choices, required=False
    )
    public_what_was_good = _public_text("What was good (public version)")
    public_what_could_be_better = _public_text("What could be better (public version)")
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (ModerationStatus.PUBLISHED, "Publish the public version"),
            (ModerationStatus.PRIVATE, "Keep private"),
            (ModerationStatus.TO_MODERATE, "Decide later"),
        ],
        error_messages={"required": "Select whether to publish this feedback"},
    )

    def __init__(self, *args: Any, theme_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = theme_choices


class ResponseForm(forms.Form):
    text = forms.CharField(
        label="Public response",
        help_text="Shown under the comment on the public pages. Do not name staff or patients.",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter the response",
            "max_length": f"The response must be {TEXT_LIMIT} characters or fewer",
        },
    )


class EntryForm(forms.Form):
    """A "you said, we did" entry."""

    title = forms.CharField(
        label="Title",
        max_length=150,
        help_text="A short summary people will recognise, such as 'Interpreters at appointments'.",
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 150 characters or fewer",
        },
    )
    themes = forms.MultipleChoiceField(
        label="Themes", required=False, widget=forms.CheckboxSelectMultiple
    )
    what_people_said = forms.CharField(
        label="You said",
        help_text="What people told us, in their words where possible. No personal details.",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={"required": "Enter what people said"},
    )
    what_we_did = forms.CharField(
        label="We did",
        help_text="What the trust did or is doing about it.",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={"required": "Enter what the trust did"},
    )
    status = forms.ChoiceField(
        label="Progress",
        choices=ActionStatus.choices,
        error_messages={"required": "Select how far this has got"},
    )
    comments = forms.MultipleChoiceField(
        label="Published comments this answers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only published comments can be linked.",
    )
    published = forms.BooleanField(
        label="Show this entry on the public 'You said, we did' page", required=False
    )

    def __init__(
        self,
        *args: Any,
        theme_choices: list[tuple[str, str]],
        comment_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = theme_choices
        self.fields["comments"].choices = comment_choices


class ProgressUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Progress now",
        choices=ActionStatus.choices,
        error_messages={"required": "Select how far this has got"},
    )
    text = forms.CharField(
        label="Update",
        help_text="Shown publicly with today's date.",
        max_length=NOTE_LIMIT,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter the update",
            "max_length": f"The update must be {NOTE_LIMIT} characters or fewer",
        },
    )
