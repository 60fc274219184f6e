"""``manage.py create_demo_engagement``: synthetic network members, hub posts, group
records and Triangle of Care assessments for the demonstration, so the engagement pages
have something to show.

Everything is written for the demo (no real person's details: example.org addresses and
Ofcom's drama phone numbers). Hub posts go through the real safeguarding screen, as the
hub's forms do, and wait for moderation like real ones. Run again, it adds nothing (it
looks for its own first topic). Refused unless ``PCREF_ALLOW_DEMO_USERS`` is on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pcref.web.engagement import screening
from pcref.web.engagement.models import (
    ConsentWording,
    Decision,
    GroupMembership,
    HubContribution,
    HubTopic,
    Meeting,
    MeetingAction,
    NetworkMember,
    PartnershipGroup,
    TriangleOfCareAssessment,
    TriangleOfCareRatingRecord,
)

MARKER_TOPIC = "What helps you feel listened to on a ward?"

#: (name, email, phone, contact methods, interests, languages, access needs).
MEMBERS = (
    ("Amara Okonkwo", "amara@example.org", "07700 900982", ["email", "text"],
     ["equity_for_all", "co_creation_hub"], "English, Yoruba", "Large print"),
    ("Kwame Mensah", "", "01632 960001", ["phone"],
     ["triangle_of_care", "patient_experience"], "English, Twi", ""),
    ("Priya Shah", "priya@example.org", "", ["email"],
     ["equity_for_all", "champions", "surveys"], "English, Gujarati", "Step-free access"),
)  # fmt: skip

#: (hours ago, display name, text) under the marker topic; all wait for moderation.
CONTRIBUTIONS = (
    (50, "Sunflower", "Having an interpreter at ward rounds made all the difference to me."),
    (30, "Night owl", "Some days I want to end my life and nobody on the ward asks how I am."),
    (6, "Carer from Medway", "Staff who asked what my dad eats at home and found halal food."),
)

#: Ratings for standards 1 to 6, a year apart.
TRIANGLE_OF_CARE = (
    (date(2025, 10, 1), ("red", "amber", "amber", "green", "red", "amber")),
    (date(2026, 10, 1), ("amber", "amber", "green", "green", "amber", "amber")),
)


class Command(BaseCommand):
    help = "Add synthetic co-creation network, hub and partnership group records (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PCREF_ALLOW_DEMO_USERS:
            raise CommandError(
                "demo data is switched off for these settings "
                "(set PCREF_ALLOW_DEMO_USERS=true only for a demonstration)"
            )
        if HubTopic.objects.filter(title=MARKER_TOPIC).exists():
            self.stdout.write("Demo engagement records are already there; nothing added.")
            return
        now = timezone.now()
        wording = ConsentWording.objects.in_force()
        with transaction.atomic():
            members = [
                NetworkMember.objects.create(
                    name=name,
                    email=email,
                    phone=phone,
                    contact_methods=methods,
                    interests=interests,
                    languages=languages,
                    access_needs=needs,
                    consent_wording=wording,
                )
                for name, email, phone, methods, interests, languages, needs in MEMBERS
            ]
            topic = HubTopic.objects.create(
                title=MARKER_TOPIC, display_name="PCREF team", status="approved",
                description="Tell us what staff did, or could do, so you felt heard.",
                moderated_at=now,
            )  # fmt: skip
            HubTopic.objects.create(
                title="Food from our cultures on the wards", display_name="PCREF team",
                status="approved", moderated_at=now,
                description="Is there food you can eat and enjoy? What would you change?",
            )  # fmt: skip
            for hours, name, text in CONTRIBUTIONS:
                contribution = HubContribution(topic=topic, display_name=name, text=text)
                screening.screen(contribution, text)
                contribution.save()
                HubContribution.objects.filter(pk=contribution.pk).update(
                    submitted_at=now - timedelta(hours=hours)
                )
            equity = PartnershipGroup.objects.get(kind="equity-for-all")
            for member in (members[0], members[2]):
                GroupMembership.objects.create(group=equity, member=member,
                                               agreed_on=date(2026, 3, 2))  # fmt: skip
            meeting = Meeting.objects.create(
                group=equity, held_on=date(2026, 10, 14),
                agenda="Welcome\nPCREF plan: progress on detentions\nTranslating the plan",
                minutes="The group reviewed the plan and asked for it in Urdu and Punjabi.",
            )  # fmt: skip
            Decision.objects.create(meeting=meeting, text="Publish the plan in Urdu and Punjabi.")
            MeetingAction.objects.create(meeting=meeting, owner="PCREF lead",
                                         description="Commission community-reviewed translations",
                                         due_on=date(2026, 12, 15))  # fmt: skip
            for when, ratings in TRIANGLE_OF_CARE:
                assessment = TriangleOfCareAssessment.objects.create(
                    service="Acute inpatient wards", assessed_on=when
                )
                TriangleOfCareRatingRecord.objects.bulk_create(
                    TriangleOfCareRatingRecord(
                        assessment=assessment,
                        standard=number,
                        rating=rating,
                        evidence="Demonstration evidence: ward audit and carers' survey.",
                    )
                    for number, rating in enumerate(ratings, start=1)
                )
        urgent = HubContribution.objects.filter(topic=topic, urgent=True).count()
        self.stdout.write(
            f"Added {len(members)} network members, 2 hub topics with {len(CONTRIBUTIONS)} "
            f"contributions waiting for moderation ({urgent} flagged by the safeguarding "
            "screen), an Equity for All meeting and 2 Triangle of Care assessments."
        )
