"""Signed, time-limited links that let a network member see, download, change or erase
their own record without an account.

A link carries the member's number and their ``link_generation``, signed with the
site's secret key (``django.core.signing``) and timestamped. It stops working after
``PCREF_SELF_SERVICE_LINK_HOURS`` hours, when anything in it is changed, when the member
is erased, and when their ``link_generation`` is raised (for a member who thinks a link
has leaked). Links are sent by email; only local and demo settings also show them on
screen. A member is sent at most one requested link every ten minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from pcref.web.engagement.models import NetworkMember

SALT = "pcref.engagement.self-service-link"

#: At most one requested link per member in this time, however often it is asked for.
REQUEST_INTERVAL = timedelta(minutes=10)


class LinkRefused(Exception):
    """The link cannot be used; ``str()`` says why in words for the person holding it."""


def link_lifetime() -> timedelta:
    return timedelta(hours=settings.PCREF_SELF_SERVICE_LINK_HOURS)


def make_token(member: NetworkMember) -> str:
    """A signed, timestamped token naming ``member`` and their current link generation."""
    return signing.dumps({"m": member.pk, "g": member.link_generation}, salt=SALT)


def member_from_token(token: str) -> NetworkMember:
    """The member a token names, if it is genuine, not expired and still current.

    Raises :class:`LinkRefused` otherwise. Using a link counts as activity
    (``last_active_at``), which retention reads.
    """
    try:
        payload = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise LinkRefused("This link has expired.") from None
    except signing.BadSignature:
        raise LinkRefused("This link is not valid. It may have been copied incompletely.") from None
    member = NetworkMember.objects.filter(pk=payload.get("m")).first()
    if member is None or member.link_generation != payload.get("g"):
        raise LinkRefused("This link no longer works.")
    NetworkMember.objects.filter(pk=member.pk).update(last_active_at=timezone.now())
    return member


def send_requested_link(request: HttpRequest, member: NetworkMember) -> SentLink | None:
    """Email a link someone asked for on the "your details" page, unless one was sent to
    this member less than :data:`REQUEST_INTERVAL` ago (``None`` then). The page answers
    the same either way, so this reveals nothing, and nobody can flood a member's inbox."""
    now = timezone.now()
    recent = now - REQUEST_INTERVAL
    claimed = (
        NetworkMember.objects.filter(pk=member.pk)
        .exclude(link_requested_at__gt=recent)
        .update(link_requested_at=now)
    )
    return send_link(request, member) if claimed else None


@dataclass(frozen=True)
class SentLink:
    """A link that was emailed; ``url`` is shown on screen only in demo settings."""

    url: str
    shown_on_screen: bool


def send_link(request: HttpRequest, member: NetworkMember) -> SentLink:
    """Email ``member`` a link to their details page (Django's email backend: SMTP in
    production, the console locally)."""
    url = request.build_absolute_uri(
        reverse("engagement:member_details", kwargs={"token": make_token(member)})
    )
    hours = settings.PCREF_SELF_SERVICE_LINK_HOURS
    send_mail(
        subject="Your co-creation network details",
        message=(
            f"Hello {member.name},\n\n"
            "Use this link to see, download, change or delete the details you gave when you "
            f"joined the co-creation network. It works for {hours} hours.\n\n{url}\n\n"
            "If you did not ask for this link, you can ignore this email.\n"
        ),
        from_email=None,
        recipient_list=[member.email],
    )
    return SentLink(url=url, shown_on_screen=settings.PCREF_SHOW_SELF_SERVICE_LINKS)
