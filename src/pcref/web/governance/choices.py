"""The fixed lists the action plan and self-assessments are built from, in PCREF's words.

Competencies and Part 1 obligations are worded as NHS England's framework gives them
(notes/pcref-requirements.md §1.2 and §1.3); nothing is added to them. Priority areas are
the platform's (issue 7): the places the core measures show the biggest gaps, plus data and
feedback, which PCREF asks trusts to improve in their own right.
"""

from __future__ import annotations

from django.db import models


class Competency(models.TextChoices):
    """The six national organisational competencies (PCREF Part 2)."""

    CULTURAL_AWARENESS = "cultural_awareness", "Cultural awareness"
    STAFF_KNOWLEDGE = "staff_knowledge", "Staff knowledge and awareness"
    PARTNERSHIP_WORKING = "partnership_working", "Partnership working"
    WORKFORCE = "workforce", "Workforce"
    CO_LEARNING = "co_learning", "Co-learning"
    CO_PRODUCTION = "co_production", "Co-production"


class PriorityArea(models.TextChoices):
    DEMENTIA_ACCESS = "dementia_access", "Dementia access"
    MHA_DETENTIONS = "mha_detentions", "Mental Health Act detentions"
    RESTRICTIVE_PRACTICE = "restrictive_practice", "Restrictive practice"
    TRANSITION = "transition", "Young people's transition to adult services"
    NEURODEVELOPMENTAL = "neurodevelopmental", "Neurodevelopmental access"
    DATA = "data", "Data"
    FEEDBACK = "feedback", "Feedback"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


class Rag(models.TextChoices):
    """Red, amber, green: how the board reads an action at a glance."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class PartOneObligation(models.TextChoices):
    """PCREF Part 1, legislative and regulatory obligations (leadership and governance):
    the four duties in NHS England's wording (notes/pcref-requirements.md §1.2)."""

    BOARD_LEAD = "board_lead", (
        "Nominate an executive board lead and set up governance structures, accountability "
        "and leadership across the organisation"
    )
    LOCAL_PLAN = "local_plan", (
        "Co-develop, implement and review local PCREF plans with racialised communities and "
        "the workforce"
    )
    EQUALITY_PRIORITIES = "equality_priorities", (
        "Identify priorities for improvement in meeting the specific legislative and "
        "regulatory requirements relating to equalities, and put them in the local plan"
    )
    BOARD_MONITORING = "board_monitoring", (
        "Monitor core measures at Trust Board level regularly, and publish PCREF plans"
    )


#: Every item a self-assessment scores: (part heading, choices), Part 1 first.
ASSESSMENT_PARTS: tuple[tuple[str, type[models.TextChoices]], ...] = (
    ("Part 1: legislative and regulatory obligations", PartOneObligation),
    ("Part 2: national organisational competencies", Competency),
)
ASSESSMENT_ITEMS: dict[str, str] = {
    key: label for _, choices in ASSESSMENT_PARTS for key, label in choices.choices
}


class Score(models.IntegerChoices):
    """The self-assessment scale: how far the trust has got with an obligation or
    competency. Four points, no middle, so an assessor must decide whether it is in place."""

    NOT_STARTED = 1, "Not started"
    DEVELOPING = 2, "Developing"
    ESTABLISHED = 3, "Established"
    EMBEDDED = 4, "Embedded"


#: What each point on the scale means, shown beside the choice.
SCORE_MEANINGS: dict[int, str] = {
    Score.NOT_STARTED: "No work yet, or only plans on paper.",
    Score.DEVELOPING: "Work has begun in some services; not yet consistent or evidenced.",
    Score.ESTABLISHED: "In place across the trust, with evidence it is happening.",
    Score.EMBEDDED: "Routine, reviewed with communities, and shown to make a difference.",
}
