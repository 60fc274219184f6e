"""Forms for joining the network, managing one's own record, the hub, moderation and
partnership groups. Messages follow the NHS.UK error-message style: say what to do."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from pcref.web.engagement.choices import (
    ActionStatus,
    ContactMethod,
    Interest,
    TriangleOfCareRating,
)
from pcref.web.engagement.models import (
    ConsentWording,
    HubBlock,
    NetworkMember,
    normalise_display_name,
)
from pcref.web.engagement.triangle_of_care import STANDARDS
from pcref.web.feedback.forms import HoneypotMixin
from pcref.web.moderation.models import SafeguardingOutcome

#: Dates typed as "27 3 2026", "27/3/2026" or "2026-03-27".
DATE_FORMATS = ["%d %m %Y", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
DATE_HINT = "For example, 27 3 2026"

_UK_PHONE = re.compile(r"^(?:\+44|0044|0)\d{9,10}$")


def _date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=DATE_HINT,
        input_formats=DATE_FORMATS,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a real date, like 27 3 2026",
        },
        **kwargs,
    )


def _text(
    label: str, max_length: int, *, required: bool = True, missing: str = "", **kwargs: Any
):
    """A text field whose messages name it: ``missing`` is the message when it is empty
    (by default "Enter" and the label)."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": missing or f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


class ConsentAgreement(forms.BooleanField):
    """A tick box agreeing to one version of the consent wording; its label is the text."""

    def __init__(self, wording: ConsentWording, **kwargs: Any) -> None:
        super().__init__(
            label=wording.text,
            error_messages={"required": "Tick the box to say you agree, or you cannot join"},
            **kwargs,
        )


class JoinNetworkForm(HoneypotMixin, forms.Form):
    """Joining the co-creation network: who you are, how to reach you, what you are
    interested in, and explicit agreement to the consent wording in force."""

    name = _text("Your name", 100, help_text="The name you would like us to use")
    contact_methods = forms.MultipleChoiceField(
        label="How can we contact you?",
        choices=ContactMethod.choices,
        help_text="Select all that apply",
        error_messages={"required": "Select how we can contact you"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="We also send you a link to see, change or delete your details",
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = _text("Phone number", 30, required=False, help_text="For phone calls or texts")
    postal_address = _text(
        "Postal address", 300, required=False, widget=forms.Textarea, help_text="For letters"
    )
    interests = forms.MultipleChoiceField(
        label="What would you like to be involved in?",
        choices=Interest.choices,
        help_text="We will contact you only about the things you select",
        error_messages={"required": "Select at least one thing you would like to be involved in"},
    )
    communities = _text(
        "Which communities are you part of? (optional)",
        500,
        required=False,
        widget=forms.Textarea,
        help_text="For example, a cultural or ethnic group, a faith community or a neighbourhood",
    )
    languages = _text(
        "Which languages do you speak? (optional)",
        200,
        required=False,
        help_text="Include any language you would like us to use, such as British Sign Language",
    )
    access_needs = _text(
        "Do you have any access needs? (optional)",
        500,
        required=False,
        widget=forms.Textarea,
        help_text="For example, an interpreter, large print, step-free access or a quiet room",
    )
    consent_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, wording: ConsentWording, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wording = wording
        self.fields["consent"] = ConsentAgreement(wording)
        self.fields["consent_version"].initial = wording.version

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        digits = re.sub(r"[\s()-]", "", phone)
        if phone and not _UK_PHONE.match(digits):
            raise forms.ValidationError(
                "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
            )
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        methods = set(data.get("contact_methods") or [])
        needs = (
            ("email", {ContactMethod.EMAIL}, "Enter your email address, as you chose email"),
            (
                "phone",
                {ContactMethod.PHONE, ContactMethod.TEXT},
                "Enter your phone number, as you chose phone calls or texts",
            ),
            (
                "postal_address",
                {ContactMethod.POST},
                "Enter your postal address, as you chose letters",
            ),
        )
        for field, wanted, message in needs:
            if methods & wanted and not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        version = data.get("consent_version")
        if version is not None and version != self.wording.version and "consent" in data:
            self.add_error(
                "consent",
                "The consent wording has changed since you opened this page. Read it again "
                "and tick the box if you agree",
            )
        return data

    def save(self) -> NetworkMember:
        data = self.cleaned_data
        return NetworkMember.objects.create(
            name=data["name"].strip(),
            email=data["email"],
            phone=data["phone"],
            postal_address=data["postal_address"].strip(),
            contact_methods=list(data["contact_methods"]),
            interests=list(data["interests"]),
            communities=data["communities"].strip(),
            languages=data["languages"].strip(),
            access_needs=data["access_needs"].strip(),
            contact_consent=True,
            consent_wording=self.wording,
            consented_at=timezone.now(),
        )


class LinkRequestForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The email address you gave when you joined",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class ConsentChangeForm(forms.Form):
    """Change what a member may be contacted about, or withdraw contact altogether, agreeing
    again to the wording in force (which may be newer than the one they first agreed to)."""

    interests = forms.MultipleChoiceField(
        label="What would you like to be contacted about?",
        choices=Interest.choices,
        required=False,
        help_text="Select all that apply",
    )
    contact_consent = forms.ChoiceField(
        label="Can we contact you about these things?",
        choices=(("yes", "Yes"), ("no", "No, do not contact me for now")),
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if we can contact you"},
    )

    def __init__(self, *args: Any, wording: ConsentWording, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wording = wording
        self.fields["consent"] = ConsentAgreement(wording)
        self.fields["consent"].error_messages["required"] = (
            "Tick the box to say you agree to how we keep your details"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("contact_consent") == "yes" and not data.get("interests"):
            self.add_error("interests", "Select what we can contact you about, or select No")
        return data

    def save(self, member: NetworkMember) -> NetworkMember:
        data = self.cleaned_data
        member.interests = list(data["interests"])
        member.contact_consent = data["contact_consent"] == "yes"
        member.consent_wording = self.wording
        member.consented_at = timezone.now()
        member.save()
        return member


def _not_blocked(display_name: str, member: NetworkMember | None) -> None:
    blocked = HubBlock.objects.filter(display_name=normalise_display_name(display_name))
    if blocked.exists() or (member and HubBlock.objects.filter(member=member).exists()):
        raise forms.ValidationError(
            "You cannot post in the hub under this name. Contact the PCREF team if you "
            "think this is wrong"
        )


class DisplayNameMixin(HoneypotMixin, forms.Form):
    display_name = _text(
        "Display name",
        50,
        missing="Enter a display name",
        help_text="The name shown with what you write. Do not use your full real name",
    )

    def __init__(self, *args: Any, member: NetworkMember | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if "@" in name or re.search(r"https?://|www\.", name, re.IGNORECASE):
            raise forms.ValidationError(
                "Display name must not include an email address or a web address"
            )
        _not_blocked(name, self.member)
        return name


class ContributionForm(DisplayNameMixin):
    text = _text(
        "Your contribution",
        5000,
        missing="Enter your contribution",
        widget=forms.Textarea,
        help_text=(
            "A moderator reads everything before it is published. Do not include names of "
            "staff or other people, or anything that could identify you"
        ),
    )


class TopicSuggestionForm(DisplayNameMixin):
    title = _text(
        "Topic", 150, missing="Enter a topic",
        help_text="A question or theme you would like people to discuss",
    )
    description = _text(
        "Tell us more", 2000, missing="Tell us more about the topic", widget=forms.Textarea
    )


class StaffTopicForm(forms.Form):
    title = _text("Topic", 150, missing="Enter a topic")
    description = _text(
        "Description", 2000, missing="Enter a description", widget=forms.Textarea
    )


class ReportForm(HoneypotMixin, forms.Form):
    reason = _text(
        "Why should this not be here?",
        1000,
        missing="Tell us why this should not be here",
        widget=forms.Textarea,
        help_text="For example, it is offensive, it names someone, or it looks like spam",
    )


class ModerationForm(forms.Form):
    """A moderator's decision on a topic or contribution. An urgent (safeguarding) item
    cannot be published without recording what was done about the concern."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=(
            ("approved", "Publish"),
            ("rejected", "Do not publish"),
            ("hidden", "Hide (take down after publication)"),
        ),
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    safeguarding_outcome = forms.ChoiceField(
        label="What was done about the safeguarding concern?",
        choices=SafeguardingOutcome.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    block = forms.BooleanField(
        label="Block this display name (and the network member, if any) from posting again",
        required=False,
    )
    block_reason = _text("Reason for blocking", 300, required=False)

    def __init__(self, *args: Any, urgent: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urgent = urgent
        if not urgent:
            del self.fields["safeguarding_outcome"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.urgent and not data.get("safeguarding_outcome"):
            self.add_error(
                "safeguarding_outcome",
                "Select what was done about the safeguarding concern",
            )
        if data.get("block") and not data.get("block_reason"):
            self.add_error("block_reason", "Enter the reason for blocking")
        return data


class ConsentWordingForm(forms.Form):
    text = _text(
        "Consent wording", 3000, missing="Enter the consent wording", widget=forms.Textarea
    )
    in_force_from = _date_field("Date it comes into force")

    def clean_in_force_from(self):
        value = self.cleaned_data["in_force_from"]
        if value < timezone.localdate():
            raise forms.ValidationError("Date it comes into force must be today or in the future")
        return value


class GroupMemberForm(forms.Form):
    member = forms.TypedChoiceField(
        label="Network member",
        coerce=int,
        error_messages={"required": "Select the network member to add"},
    )
    role = _text("Role in the group (optional)", 100, required=False)
    agreed_on = _date_field("Date they agreed to join")
    agreed = forms.BooleanField(
        label="They have agreed to join this group and for the group to know their name",
        error_messages={"required": "Confirm that they have agreed to join"},
    )

    def __init__(self, *args: Any, candidates: list[NetworkMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Select a member")] + [
            (m.pk, m.name) for m in candidates
        ]


class MeetingForm(forms.Form):
    held_on = _date_field("Meeting date")
    agenda = _text("Agenda", 5000, missing="Enter the agenda", widget=forms.Textarea)
    minutes = _text(
        "Minutes", 20000, required=False, widget=forms.Textarea,
        help_text="Add these after the meeting",
    )


class DecisionForm(forms.Form):
    text = _text("Decision", 2000, missing="Enter the decision", widget=forms.Textarea)


class MeetingActionForm(forms.Form):
    description = _text("Action", 2000, missing="Enter the action", widget=forms.Textarea)
    owner = _text("Who will do it", 100, missing="Enter who will do it")
    due_on = _date_field("Due date", required=False)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Progress", choices=ActionStatus.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the progress of this action"},
    )


class TriangleOfCareForm(forms.Form):
    """A self-assessment: the service, the date, and for each of the six standards a
    rating with the evidence for it."""

    service = _text("Service or ward assessed", 150, missing="Enter the service or ward assessed")
    assessed_on = _date_field("Date of the assessment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for standard in STANDARDS:
            self.fields[f"rating_{standard.number}"] = forms.ChoiceField(
                label=f"Standard {standard.number}: rating",
                choices=TriangleOfCareRating.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select a rating for standard {standard.number}"},
            )
            self.fields[f"evidence_{standard.number}"] = _text(
                f"Standard {standard.number}: evidence",
                3000,
                missing=f"Enter the evidence for standard {standard.number}",
                widget=forms.Textarea,
                help_text="What shows this: audits, training figures, policies, carers' views",
            )
