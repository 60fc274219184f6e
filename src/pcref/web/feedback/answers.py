"""The answers the feedback form offers, each with the code that is stored.

Codes are what analysis joins on, so they follow national standards where one exists:

- the Friends and Family Test's six answers, numbered as NHS England numbers them
  (1 very good ... 5 very poor, 6 don't know; notes/feedback-ui.md §3.1);
- the GOV.UK equality questions (notes/feedback-ui.md §4.4), stored as NHS Data
  Dictionary codes from :mod:`pcref.codelists` (ethnic category, religious or other belief
  group, gender identity same at birth) or, where the Data Dictionary has no list matching
  the GOV.UK question, a small documented one (sex, age band, disability, sexual
  orientation). "Prefer not to say" is always ``Z`` (``M`` for religion, whose list names
  it "Declines to Disclose"), the Data Dictionary's "asked but declined" convention.

Labels are translatable; the easy-read form words the same answers in plainer language
(``EASY_READ_*``) but stores the same codes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

PREFER_NOT_TO_SAY = "Z"


class FftAnswer(models.IntegerChoices):
    """ "Overall, how was your experience of our service?" (FFT since April 2020)."""

    VERY_GOOD = 1, _("Very good")
    GOOD = 2, _("Good")
    NEITHER = 3, _("Neither good nor poor")
    POOR = 4, _("Poor")
    VERY_POOR = 5, _("Very poor")
    DONT_KNOW = 6, _("Don't know")


EASY_READ_FFT_LABELS = {
    FftAnswer.VERY_GOOD: "Very good",
    FftAnswer.GOOD: "Good",
    FftAnswer.NEITHER: "Not good and not bad",
    FftAnswer.POOR: "Bad",
    FftAnswer.VERY_POOR: "Very bad",
    FftAnswer.DONT_KNOW: "I do not know",
}


class RespondentType(models.TextChoices):
    """Who is giving the feedback (DESIGN §8)."""

    PATIENT = "patient", _("I use or have used the service")
    CARER = "carer", _("I am a carer, friend or family member")
    STAFF = "staff", _("I work for the trust")
    ADVOCATE = "advocate", _("I am an advocate or from a community organisation")


EASY_READ_RESPONDENT_LABELS = {
    RespondentType.PATIENT: "I get help from the service",
    RespondentType.CARER: "I look after someone who gets help, or I am family or a friend",
    RespondentType.STAFF: "I work here",
    RespondentType.ADVOCATE: "I speak up for someone, or I am from a community group",
}


class FormVersion(models.TextChoices):
    STANDARD = "standard", "Standard"
    EASY_READ = "easy_read", "Easy read"


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")


#: GOV.UK ethnic group question (England, 2021), one answer per background, with the NHS
#: Data Dictionary ETHNIC CATEGORY code it maps to (notes/feedback-ui.md §4.4). The GOV.UK
#: value is kept because two of them (Gypsy or Irish Traveller, Arab) share a code.
ETHNIC_BACKGROUNDS: tuple[tuple[str, str, object], ...] = (
    ("white_british", "A", _("White: English, Welsh, Scottish, Northern Irish or British")),
    ("white_irish", "B", _("White: Irish")),
    ("white_gypsy_traveller", "C", _("White: Gypsy or Irish Traveller")),
    ("white_other", "C", _("White: any other White background")),
    ("mixed_white_black_caribbean", "D", _("Mixed: White and Black Caribbean")),
    ("mixed_white_black_african", "E", _("Mixed: White and Black African")),
    ("mixed_white_asian", "F", _("Mixed: White and Asian")),
    ("mixed_other", "G", _("Mixed: any other Mixed or multiple ethnic background")),
    ("asian_indian", "H", _("Asian or Asian British: Indian")),
    ("asian_pakistani", "J", _("Asian or Asian British: Pakistani")),
    ("asian_bangladeshi", "K", _("Asian or Asian British: Bangladeshi")),
    ("asian_chinese", "R", _("Asian or Asian British: Chinese")),
    ("asian_other", "L", _("Asian or Asian British: any other Asian background")),
    ("black_african", "N", _("Black, Black British, Caribbean or African: African")),
    ("black_caribbean", "M", _("Black, Black British, Caribbean or African: Caribbean")),
    (
        "black_other",
        "P",
        _("Black, Black British, Caribbean or African: any other Black background"),
    ),
    ("other_arab", "S", _("Other ethnic group: Arab")),
    ("other_any", "S", _("Other ethnic group: any other ethnic group")),
    ("prefer_not_to_say", PREFER_NOT_TO_SAY, _("Prefer not to say")),
)
ETHNIC_CATEGORY_OF = {value: code for value, code, _label in ETHNIC_BACKGROUNDS}

#: "What is your sex?" The Data Dictionary's PERSON STATED GENDER CODE uses 1 and 2 for
#: male and female; Z is its "asked but declined".
SEX = (("2", _("Female")), ("1", _("Male")), (PREFER_NOT_TO_SAY, _("Prefer not to say")))

#: NHS Data Dictionary GENDER IDENTITY SAME AT BIRTH INDICATOR.
GENDER_SAME_AT_BIRTH = (
    ("Y", _("Yes")),
    ("N", _("No")),
    (PREFER_NOT_TO_SAY, _("Prefer not to say")),
)

#: Age bands wide enough not to single anyone out in a small team's feedback.
AGE_BANDS = (
    ("0-17", _("Under 18")),
    ("18-24", _("18 to 24")),
    ("25-34", _("25 to 34")),
    ("35-44", _("35 to 44")),
    ("45-54", _("45 to 54")),
    ("55-64", _("55 to 64")),
    ("65-74", _("65 to 74")),
    ("75+", _("75 or over")),
    (PREFER_NOT_TO_SAY, _("Prefer not to say")),
)

#: The GOV.UK disability question is yes or no; the Data Dictionary's DISABILITY CODE lists
#: types, with NN for "no disability" and ZZ for "not stated", which N and Z map to.
DISABILITY = (
    ("Y", _("Yes")),
    ("N", _("No")),
    (PREFER_NOT_TO_SAY, _("Prefer not to say")),
)

#: GOV.UK religion answers as NHS Data Dictionary RELIGIOUS OR OTHER BELIEF SYSTEM
#: AFFILIATION GROUP CODE (pcref.codelists "religion_group").
RELIGION = (
    ("L", _("No religion")),
    ("C", _("Christian (including all Christian denominations)")),
    ("B", _("Buddhist")),
    ("D", _("Hindu")),
    ("F", _("Jewish")),
    ("G", _("Muslim")),
    ("I", _("Sikh")),
    ("K", _("Any other religion")),
    ("M", _("Prefer not to say")),
)

#: NHS Data Dictionary SEXUAL ORIENTATION CODE: 1 heterosexual or straight, 2 gay or
#: lesbian, 3 bisexual, 4 other sexual orientation, Z not stated (asked but declined).
SEXUAL_ORIENTATION = (
    ("1", _("Heterosexual or straight")),
    ("2", _("Gay or lesbian")),
    ("3", _("Bisexual")),
    ("4", _("Other")),
    (PREFER_NOT_TO_SAY, _("Prefer not to say")),
)
