"""The questions of the feedback form, one Django form per page.

The standard form asks a few related questions a page; the easy-read form asks one
question a page (:func:`single_question`) in plainer words. Both store the same answers.
Every message is written for the person filling the form in (NHS.UK error-message style)
and is translatable. Nothing here is required except the Friends and Family Test answer:
people share as much or as little as they are comfortable with (DESIGN §8).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pcref.web.feedback.answers import (
    AGE_BANDS,
    DISABILITY,
    EASY_READ_FFT_LABELS,
    EASY_READ_RESPONDENT_LABELS,
    ETHNIC_BACKGROUNDS,
    GENDER_SAME_AT_BIRTH,
    RELIGION,
    SEX,
    SEXUAL_ORIENTATION,
    ContactMethod,
    FftAnswer,
    RespondentType,
)
from pcref.web.feedback.models import COMMENT_MAX_LENGTH, ContactDetails, Team

#: Name of the field people cannot see; a form that comes back with it filled in was
#: filled in by a program, and is thanked but not kept.
HONEYPOT_FIELD = "website"

#: Digits in a UK or international phone number, once spaces and punctuation are removed.
_PHONE = re.compile(r"\+?\d{10,15}")
_PHONE_PUNCTUATION = re.compile(r"[\s()\-.]")


def _comment_field(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "max_length": _(
                "Your answer must be %(limit_value)d characters or fewer. "
                "It has %(show_value)d characters"
            )
        },
    )


def _optional_choice(choices, label: Any, help_text: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=[("", ""), *((str(code), text) for code, text in choices)],
        required=False,
        error_messages={"invalid_choice": _("Select one of the answers, or leave it blank")},
    )


def team_choices() -> list[tuple[str, str]]:
    """The teams people can choose, as (code, name), in name order."""
    return list(Team.objects.filter(active=True).values_list("code", "name"))


class HoneypotMixin(forms.Form):
    """A field hidden from people (and from screen readers) that programs fill in."""

    website = forms.CharField(required=False, label=_("Leave this blank"))

    def filled_by_a_program(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


class ExperienceForm(HoneypotMixin, forms.Form):
    """Page 1: the Friends and Family Test question and the two free-text questions."""

    fft_answer = forms.TypedChoiceField(
        label=_("Overall, how was your experience of our service?"),
        choices=FftAnswer.choices,
        coerce=int,
        error_messages={
            "required": _("Select how your experience of our service was overall"),
            "invalid_choice": _("Select how your experience of our service was overall"),
        },
    )
    what_was_good = _comment_field(
        _("What was good?"), _("Please do not include names, yours or anyone else's.")
    )
    what_could_be_better = _comment_field(
        _("What could we do better?"), _("Please do not include names, yours or anyone else's.")
    )


class AboutFeedbackForm(HoneypotMixin, forms.Form):
    """Page 2: who is giving the feedback and which service or team it is about."""

    respondent_type = _optional_choice(RespondentType.choices, _("Who is giving feedback?"))
    service = forms.ChoiceField(
        label=_("Which service or team is your feedback about?"),
        help_text=_("Leave this as it is if you are not sure or would rather not say."),
        required=False,
        error_messages={"invalid_choice": _("Select a service or team from the list")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Not sure or prefer not to say")), *team_choices()]


class AboutYouForm(HoneypotMixin, forms.Form):
    """Page 3 (optional, skippable): the GOV.UK equality questions."""

    ethnic_background = _optional_choice(
        [(value, label) for value, _code, label in ETHNIC_BACKGROUNDS],
        _("What is your ethnic group?"),
    )
    sex = _optional_choice(SEX, _("What is your sex?"))
    gender_same_at_birth = _optional_choice(
        GENDER_SAME_AT_BIRTH,
        _("Is the gender you identify with the same as your sex registered at birth?"),
    )
    age_band = _optional_choice(AGE_BANDS, _("How old are you?"))
    disability = _optional_choice(
        DISABILITY,
        _(
            "Do you have any physical or mental health conditions or illness lasting or "
            "expected to last 12 months or more?"
        ),
    )
    religion = _optional_choice(RELIGION, _("What is your religion?"))
    sexual_orientation = _optional_choice(
        SEXUAL_ORIENTATION,
        _("Which of the following best describes how you think of yourself?"),
    )


class ContactForm(HoneypotMixin, forms.Form):
    """Page 4 (optional): how to reach the person, and whether we may if worried."""

    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=ContactDetails._meta.get_field("name").max_length,
        error_messages={"max_length": _("Your name must be 200 characters or fewer")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=ContactDetails._meta.get_field("email").max_length,
        error_messages={"invalid": _("Enter an email address like name@example.com")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        help_text=_("For international numbers include the country code"),
        required=False,
        max_length=ContactDetails._meta.get_field("phone").max_length,
        error_messages={"max_length": _("Enter a phone number, like 01632 960 001")},
    )
    preferred_contact_method = _optional_choice(
        ContactMethod.choices, _("How would you prefer us to contact you?")
    )
    may_contact_if_worried = _optional_choice(
        (("yes", _("Yes")), ("no", _("No"))),
        _("Can we contact you if we are worried about your safety?"),
        _(
            "If something you tell us makes us worried about you or someone else, we may "
            "want to check you are safe."
        ),
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not _PHONE.fullmatch(_PHONE_PUNCTUATION.sub("", phone)):
            raise forms.ValidationError(_("Enter a phone number, like 01632 960 001"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        method = data.get("preferred_contact_method")
        if method == ContactMethod.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Enter your email address, or choose another way"))
        if method == ContactMethod.PHONE and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Enter your phone number, or choose another way"))
        worried = data.get("may_contact_if_worried") == "yes"
        if worried and not (data.get("email") or data.get("phone")) and not self.errors:
            self.add_error(
                "may_contact_if_worried",
                _("Enter a phone number or email address so we can contact you, or select No"),
            )
        return data


# --- Easy read: one question a page, plain words ----------------------------------------

EASY_READ_LABELS: dict[str, tuple[str, str]] = {
    "fft_answer": ("How was our service?", ""),
    "what_was_good": ("What was good?", "You do not have to write anything."),
    "what_could_be_better": ("What could be better?", "You do not have to write anything."),
    "respondent_type": ("Who are you?", "You do not have to answer."),
    "service": ("Which team helped you?", "You do not have to answer."),
    "email": ("Your email address", ""),
    "phone": ("Your phone number", ""),
    "may_contact_if_worried": ("Can we contact you if we are worried you are not safe?", ""),
}
EASY_READ_CHOICE_LABELS: dict[str, dict[Any, str]] = {
    "fft_answer": {int(code): text for code, text in EASY_READ_FFT_LABELS.items()},
    "respondent_type": {str(code): text for code, text in EASY_READ_RESPONDENT_LABELS.items()},
}


def single_question(source: type[forms.Form], field_name: str) -> type[forms.Form]:
    """A one-question form for the easy-read version, made from ``source``'s field with
    the easy-read wording (the same answers, so the same codes are stored)."""

    class SingleQuestionForm(HoneypotMixin, forms.Form):
        question = field_name

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            field = source(*args, **kwargs).fields[field_name]
            label, hint = EASY_READ_LABELS.get(field_name, (None, None))
            if label is not None:
                field.label, field.help_text = label, hint
            plain = EASY_READ_CHOICE_LABELS.get(field_name)
            if plain:
                field.choices = [(code, plain.get(code, text)) for code, text in field.choices]
            self.fields = {field_name: field, HONEYPOT_FIELD: self.fields[HONEYPOT_FIELD]}

    SingleQuestionForm.__name__ = f"EasyRead_{field_name}"
    return SingleQuestionForm


class EasyReadContactForm(HoneypotMixin, forms.Form):
    """Easy read: "How can we contact you?" (name, email, phone as one question)."""

    name = ContactForm.base_fields["name"]
    email = ContactForm.base_fields["email"]
    phone = ContactForm.base_fields["phone"]

    clean_phone = ContactForm.clean_phone

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = "Your name"
        for name in ("email", "phone"):
            self.fields[name].label, self.fields[name].help_text = EASY_READ_LABELS[name]


class EasyReadIfWorriedForm(single_question(ContactForm, "may_contact_if_worried")):
    """Easy read: "Can we contact you if we are worried you are not safe?", asked after the
    contact details page, so a Yes needs a phone number or email given there."""

    needs_earlier_answers = True

    def __init__(self, *args: Any, earlier: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earlier = earlier or {}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reachable = self.earlier.get("email") or self.earlier.get("phone")
        if data.get("may_contact_if_worried") == "yes" and not reachable:
            self.add_error(
                "may_contact_if_worried",
                "We do not have your phone number or email address. "
                "Go back and give us one, or choose No.",
            )
        return data
