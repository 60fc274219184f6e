"""The versions of the form people can fill in, and the pages of each.

A *flow* is a language and a form version: the standard form in English, Polish and
Punjabi, and the easy-read form (English). Its key is the first part of every URL of the
form (``/feedback/pl/experience/``), so the language never depends on a cookie or the
browser's settings, and a link can be shared in the language it was written for.

Why Polish and Punjabi: at the 2021 Census Polish was the most common main language
other than English in Kent and Medway, and Punjabi is among the most common in the
racialised communities PCREF is for, notably in Gravesham and Medway (one of the largest
Sikh communities outside London). Nepali and Romanian are next in line (docs/feedback.md
says how to add a language). Every translation is marked for community review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from pcref.web.feedback import forms as questions
from pcref.web.feedback.answers import FormVersion


@dataclass(frozen=True)
class Step:
    """One page of a flow: its URL slug, its form, its template and page title."""

    slug: str
    form_class: type[forms.Form]
    template: str
    title: object
    #: Shows a "Skip" button that moves on without answering.
    skippable: bool = False


@dataclass(frozen=True)
class Flow:
    key: str
    language: str
    #: The BCP 47 tag for the page's ``lang`` attribute.
    html_lang: str
    #: The language's own name, for the language switcher.
    native_name: str
    version: str
    steps: tuple[Step, ...] = field(repr=False)
    #: Translated by people who still need to review it with the community.
    for_community_review: bool = False

    def step(self, slug: str) -> Step:
        for step in self.steps:
            if step.slug == slug:
                return step
        raise Http404(f"no page {slug!r} in the {self.key} feedback form")

    def index(self, step: Step) -> int:
        return self.steps.index(step)

    @property
    def easy_read(self) -> bool:
        return self.version == FormVersion.EASY_READ


STANDARD_STEPS = (
    Step(
        "experience",
        questions.ExperienceForm,
        "feedback/experience.jinja",
        _("Overall, how was your experience of our service?"),  # the page's heading
    ),
    Step(
        "about-your-feedback",
        questions.AboutFeedbackForm,
        "feedback/about_feedback.jinja",
        _("About your feedback"),
    ),
    Step(
        "about-you",
        questions.AboutYouForm,
        "feedback/about_you.jinja",
        _("About you"),
        skippable=True,
    ),
    Step("contact", questions.ContactForm, "feedback/contact.jinja", _("Contact details")),
)

_QUESTION = "feedback/easy_read/question.jinja"


def _easy(slug: str, source: type[forms.Form], field_name: str, skippable: bool = False) -> Step:
    form_class = questions.single_question(source, field_name)
    return Step(slug, form_class, _QUESTION, "", skippable=skippable)


EASY_READ_STEPS = (
    _easy("how-was-it", questions.ExperienceForm, "fft_answer"),
    _easy("what-was-good", questions.ExperienceForm, "what_was_good"),
    _easy("what-could-be-better", questions.ExperienceForm, "what_could_be_better"),
    _easy("who-are-you", questions.AboutFeedbackForm, "respondent_type"),
    _easy("which-team", questions.AboutFeedbackForm, "service"),
    _easy("ethnic-group", questions.AboutYouForm, "ethnic_background", skippable=True),
    _easy("sex", questions.AboutYouForm, "sex", skippable=True),
    _easy("gender", questions.AboutYouForm, "gender_same_at_birth", skippable=True),
    _easy("age", questions.AboutYouForm, "age_band", skippable=True),
    _easy("health-condition", questions.AboutYouForm, "disability", skippable=True),
    _easy("religion", questions.AboutYouForm, "religion", skippable=True),
    _easy("sexual-orientation", questions.AboutYouForm, "sexual_orientation", skippable=True),
    Step(
        "contact",
        questions.EasyReadContactForm,
        "feedback/easy_read/contact.jinja",
        "",
        skippable=True,
    ),
    Step("if-we-are-worried", questions.EasyReadIfWorriedForm, _QUESTION, ""),
)

FLOWS: dict[str, Flow] = {
    flow.key: flow
    for flow in (
        Flow("en", "en", "en-GB", "English", FormVersion.STANDARD, STANDARD_STEPS),
        Flow("pl", "pl", "pl", "Polski", FormVersion.STANDARD, STANDARD_STEPS, True),
        Flow("pa", "pa", "pa", "ਪੰਜਾਬੀ", FormVersion.STANDARD, STANDARD_STEPS, True),
        Flow("easy-read", "en", "en-GB", "Easy read", FormVersion.EASY_READ, EASY_READ_STEPS),
    )
}

#: The standard form's languages, for the language switcher.
LANGUAGE_FLOWS = tuple(flow for flow in FLOWS.values() if not flow.easy_read)


def flow_for(key: str) -> Flow:
    try:
        return FLOWS[key]
    except KeyError:
        raise Http404(f"no feedback form {key!r}") from None


class FlowConverter:
    """URL converter: the first part of a feedback URL names its flow."""

    regex = "|".join(FLOWS)

    def to_python(self, value: str) -> Flow:
        return flow_for(value)

    def to_url(self, value: Flow | str) -> str:
        return value.key if isinstance(value, Flow) else value
