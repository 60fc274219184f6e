"""What must exist before anyone can join the network or keep group records: the first
consent wording (version 1) and the four standing partnership groups.

Created after every ``migrate`` (and every test-database flush) by a ``post_migrate``
hook, only where missing: later wordings are new versions added by staff, never edits, and
a group's purpose, once edited, is left alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

CONSENT_WORDING_1 = (
    "I agree that the trust may keep the details I have given on this form so that it can "
    "invite me to help design and improve its services as part of the co-creation network. "
    "The trust will contact me only about the things I have ticked, only in the ways I have "
    "chosen, and will not share my details outside the trust's Patient and Carer Race "
    "Equality Framework (PCREF) team and the groups I agree to join. I can see, download, "
    "change or delete my details at any time through a link sent to my email address, or by "
    "asking the PCREF team. Taking part is voluntary and does not affect my care or anyone "
    "else's."
)

GROUPS = (
    (
        "equity-for-all",
        "Brings people from racialised communities, staff and partners together to shape "
        "the trust's PCREF plan and check that what it does reduces inequality.",
    ),
    (
        "triangle-of-care",
        "Works with carers and families so that the carer, the person cared for and staff "
        "form a therapeutic alliance, and assesses services against the six Triangle of "
        "Care standards.",
    ),
    (
        "patient-experience-group",
        "Reviews what patients and carers tell the trust, including feedback themes by "
        "ethnic group, and follows up the actions taken in response.",
    ),
    (
        "co-creation-champions",
        "Network members who help others take part: in the Co-Creation Hub, at community "
        "events and in the trust's groups.",
    ),
)

#: When version 1 comes into force: before any member could have joined.
WORDING_1_IN_FORCE_FROM = datetime(2026, 1, 1)


def ensure_first_wording_and_groups(**_: Any) -> None:
    """``post_migrate`` hook: create version 1 of the consent wording and the four groups
    if they are missing."""
    from pcref.web.engagement.models import ConsentWording, PartnershipGroup

    if not ConsentWording.objects.exists():
        ConsentWording.objects.create(
            version=1,
            text=CONSENT_WORDING_1,
            in_force_from=timezone.make_aware(WORDING_1_IN_FORCE_FROM),
        )
    for kind, purpose in GROUPS:
        PartnershipGroup.objects.get_or_create(kind=kind, defaults={"purpose": purpose})
