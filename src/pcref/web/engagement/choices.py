"""The fixed lists people choose from when they join the network, contribute to the hub or
keep partnership group records. Stored values are short codes; labels are what people read."""

from django.db import models


class Interest(models.TextChoices):
    """What a network member would like to be involved in, and so may be contacted about."""

    SERVICE_DESIGN = "service_design", "Designing and improving services with us"
    CO_CREATION_HUB = "co_creation_hub", "Discussions in the BAME Co-Creation Hub"
    EQUITY_FOR_ALL = "equity_for_all", "The Equity for All group"
    TRIANGLE_OF_CARE = "triangle_of_care", "Triangle of Care (working with carers)"
    PATIENT_EXPERIENCE = "patient_experience", "The Patient Experience Group"
    CHAMPIONS = "champions", "Becoming a co-creation champion"
    STAFF_TRAINING = "staff_training", "Staff training and recruitment"
    SURVEYS = "surveys", "Surveys, research and feedback"
    EVENTS = "events", "Community events"


class ContactMethod(models.TextChoices):
    """How a member is happy to be contacted; each needs its own detail (email, phone...)."""

    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Letter"


class ModerationStatus(models.TextChoices):
    """Where a hub topic or contribution is: nothing is public until a moderator approves."""

    PENDING = "pending", "Waiting for moderation"
    APPROVED = "approved", "Published"
    REJECTED = "rejected", "Not published"
    HIDDEN = "hidden", "Hidden after publication"


class PartnershipGroupKind(models.TextChoices):
    """The standing partnership groups PCREF works through (DESIGN §8)."""

    EQUITY_FOR_ALL = "equity-for-all", "Equity for All group"
    TRIANGLE_OF_CARE = "triangle-of-care", "Triangle of Care"
    PATIENT_EXPERIENCE = "patient-experience-group", "Patient Experience Group"
    CHAMPIONS = "co-creation-champions", "Co-creation champions"


class ActionStatus(models.TextChoices):
    """Progress of an action agreed at a partnership group meeting."""

    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class TriangleOfCareRating(models.TextChoices):
    """Red, amber, green rating of one Triangle of Care standard in a self-assessment.

    The six standards are the Carers Trust's; this three-point scale is the platform's
    choice (see docs/engagement.md), so ratings can be compared over time."""

    RED = "red", "Red: not in place"
    AMBER = "amber", "Amber: partly in place"
    GREEN = "green", "Green: fully in place"


def labels(codes: list[str], choices: type[models.Choices]) -> list[str]:
    """Stored ``codes`` in the words people read (a code no longer in ``choices`` as it
    is), for a member's own details page and their download alike."""
    known = dict(choices.choices)
    return [str(known.get(code, code)) for code in codes]
