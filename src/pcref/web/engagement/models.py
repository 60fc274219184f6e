"""Records of the co-creation network, the BAME Co-Creation Hub and partnership groups.

Network members' records hold personal data they gave with consent; the wording they
agreed to is kept by version (:class:`ConsentWording`). Erasing a member deletes their row
and, through ``CASCADE``, their group memberships; hub contributions they posted keep only
their chosen display name. Hub topics and contributions are pre-moderated: nothing is
public until a moderator approves it, and contributions the safeguarding screen flags are
shown to moderators first and never approved without a recorded safeguarding outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from pcref.web.engagement.choices import (
    ActionStatus,
    ModerationStatus,
    PartnershipGroupKind,
    TriangleOfCareRating,
)
from pcref.web.moderation.models import SafeguardingOutcome

# --- The co-creation network ---------------------------------------------------------


class ConsentWordingQuerySet(models.QuerySet):
    def in_force(self, at=None) -> ConsentWording | None:
        """The wording in force at ``at`` (now): the newest version already in force."""
        at = at or timezone.now()
        return self.filter(in_force_from__lte=at).order_by("-version").first()


class ConsentWording(models.Model):
    """One version of what people agree to when they join the network. Versions are never
    edited once anyone has agreed to them (a member's record points at the version they
    agreed to); a change is a new version with the date it comes into force."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    in_force_from = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ConsentWordingQuerySet.as_manager()

    class Meta:
        ordering = ("-version",)

    def __str__(self) -> str:
        return f"Consent wording version {self.version}"


class NetworkMember(models.Model):
    """A person who joined the co-creation network: how to reach them, what they are
    interested in, and the consent they gave. ``interests`` and ``contact_methods`` hold
    codes from :class:`~pcref.web.engagement.choices.Interest` and ``ContactMethod``.

    ``contact_consent`` is whether they agreed to be contacted about their interests;
    they can withdraw it (staff then no longer see them) without leaving the network.
    ``last_active_at`` moves when they use their self-service link, so retention can
    remove people who have not been in touch for years.
    """

    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=30, blank=True)
    postal_address = models.TextField(max_length=300, blank=True)
    contact_methods = models.JSONField(default=list)
    interests = models.JSONField(default=list)
    communities = models.TextField(max_length=500, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    access_needs = models.TextField(max_length=500, blank=True)
    contact_consent = models.BooleanField(default=True)
    consent_wording = models.ForeignKey(
        ConsentWording, on_delete=models.PROTECT, related_name="members"
    )
    consented_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)
    last_active_at = models.DateTimeField(default=timezone.now)
    #: Raised to make every self-service link sent before it stop working.
    link_generation = models.PositiveIntegerField(default=0)
    #: When a link was last emailed on request, so requests cannot flood their inbox.
    link_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        # Audit events and logs describe a member by number only, never by name.
        return f"Network member {self.pk}"


# --- The BAME Co-Creation Hub -------------------------------------------------------


class Moderated(models.Model):
    """What hub topics and contributions share: a display name, the safeguarding screen's
    verdict, and a moderation status that starts as pending."""

    display_name = models.CharField(max_length=50)
    member = models.ForeignKey(
        NetworkMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING
    )
    urgent = models.BooleanField(default=False)
    safeguarding_categories = models.JSONField(default=list, blank=True)
    safeguarding_outcome = models.CharField(
        max_length=32, choices=SafeguardingOutcome.choices, blank=True
    )
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def safeguarding_labels(self) -> list[str]:
        """The categories the safeguarding screen flagged, in words for moderators."""
        from pcref.listening.safeguarding import category_labels

        return category_labels(self.safeguarding_categories)


class HubTopic(Moderated):
    """A question or theme people discuss in the hub. Staff topics are published when
    posted; topics suggested by the public wait for moderation like contributions."""

    title = models.CharField(max_length=150)
    description = models.TextField(max_length=2000)
    posted_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("-submitted_at", "-id")

    def __str__(self) -> str:
        return f"Hub topic {self.pk}"


class HubContribution(Moderated):
    """What someone said about a topic, under the display name they chose."""

    topic = models.ForeignKey(HubTopic, on_delete=models.CASCADE, related_name="contributions")
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ("submitted_at", "id")

    def __str__(self) -> str:
        return f"Hub contribution {self.pk}"


class HubReport(models.Model):
    """Someone's report that a published contribution should not be there. Reports are
    anonymous: only the reason is kept."""

    contribution = models.ForeignKey(
        HubContribution, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.TextField(max_length=1000)
    reported_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("reported_at", "id")


class HubBlock(models.Model):
    """A display name, or a network member, that may no longer post in the hub. Display
    names are compared ignoring case and spacing (:func:`normalise_display_name`)."""

    display_name = models.CharField(max_length=50, blank=True, db_index=True)
    member = models.ForeignKey(
        NetworkMember, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=300)
    blocked_at = models.DateTimeField(default=timezone.now, editable=False)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-blocked_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(display_name="") | models.Q(member__isnull=False),
                name="hub_block_names_someone",
            ),
        )

    def __str__(self) -> str:
        return f"Hub block {self.pk}"


def normalise_display_name(name: str) -> str:
    """``"  Sunita  K "`` → ``"sunita k"``: how display names are compared for blocking."""
    return " ".join(name.split()).casefold()


# --- Partnership groups ---------------------------------------------------------------


class PartnershipGroup(models.Model):
    """A standing group: Equity for All, Triangle of Care, Patient Experience Group,
    co-creation champions. Created by a data migration, one per kind."""

    kind = models.SlugField(max_length=40, unique=True, choices=PartnershipGroupKind.choices)
    purpose = models.TextField()

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.get_kind_display()


class GroupMembership(models.Model):
    """A network member's place in a group. Only members who agreed to join the group are
    added, and the date they agreed is kept; erasing the member removes this too."""

    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(NetworkMember, on_delete=models.CASCADE, related_name="groups")
    role = models.CharField(max_length=100, blank=True)
    agreed_on = models.DateField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("member__name", "id")
        constraints = (
            models.UniqueConstraint(fields=("group", "member"), name="one_membership_per_group"),
        )


class Meeting(models.Model):
    """One meeting of a partnership group: agenda beforehand, minutes afterwards."""

    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    agenda = models.TextField(max_length=5000)
    minutes = models.TextField(max_length=20000, blank=True)

    class Meta:
        ordering = ("-held_on", "-id")

    def __str__(self) -> str:
        return f"{self.group} meeting {self.pk}"


class Decision(models.Model):
    """Something a meeting decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(max_length=2000)

    class Meta:
        ordering = ("id",)


class MeetingAction(models.Model):
    """Something a meeting agreed someone would do, by when, and how far it has got."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(max_length=2000)
    owner = models.CharField(max_length=100)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )

    class Meta:
        ordering = ("due_on", "id")


class TriangleOfCareAssessment(models.Model):
    """A self-assessment of one service against the six Triangle of Care standards.
    Assessments are kept, never overwritten, so the change since the last one shows."""

    service = models.CharField(max_length=150)
    assessed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-assessed_on", "-id")

    def __str__(self) -> str:
        return f"Triangle of Care assessment {self.pk}"


class TriangleOfCareRatingRecord(models.Model):
    """One standard's rating in one assessment, with the evidence for it."""

    assessment = models.ForeignKey(
        TriangleOfCareAssessment, on_delete=models.CASCADE, related_name="ratings"
    )
    standard = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=5, choices=TriangleOfCareRating.choices)
    evidence = models.TextField(max_length=3000)

    class Meta:
        ordering = ("standard",)
        constraints = (
            models.UniqueConstraint(
                fields=("assessment", "standard"), name="one_rating_per_standard"
            ),
            models.CheckConstraint(
                condition=models.Q(standard__gte=1, standard__lte=6), name="standard_one_to_six"
            ),
        )
