"""Fixtures for the engagement tests: a network member made through the model (the
sign-up form has tests of its own) and their self-service link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pcref.web.engagement.models import ConsentWording, HubTopic, NetworkMember
from pcref.web.engagement.self_service import make_token


@pytest.fixture(autouse=True)
def _empty_cache(empty_cache):
    """Every engagement test starts with no hourly count on the public forms
    (tests/web/conftest.py)."""


@pytest.fixture
def wording(db) -> ConsentWording:
    """Version 1 of the consent wording, which the data migration creates."""
    return ConsentWording.objects.get(version=1)


@pytest.fixture
def make_member(wording):
    def make(name: str = "Amara Okonkwo", **fields) -> NetworkMember:
        values = {
            "email": f"{name.split()[0].lower()}@example.org",
            "contact_methods": ["email"],
            "interests": ["co_creation_hub", "equity_for_all"],
            "consent_wording": wording,
            **fields,
        }
        return NetworkMember.objects.create(name=name, **values)

    return make


@pytest.fixture
def member(make_member) -> NetworkMember:
    return make_member(
        phone="07700 900982",
        contact_methods=["email", "text"],
        languages="English, Yoruba",
        access_needs="Large print",
        communities="Nigerian community in Medway",
    )


@pytest.fixture
def details_url():
    """``details_url(member, page="member_details")``: that member's self-service page."""

    def url(member: NetworkMember, page: str = "member_details", **kwargs) -> str:
        return reverse(f"engagement:{page}", kwargs={"token": make_token(member), **kwargs})

    return url


@pytest.fixture
def field_error():
    """``field_error(response, "name")``: the error message the page shows beside a field
    (the NHS.UK error-message component), or ``None``."""
    import html
    import re

    def find(response, field: str) -> str | None:
        page = response.content.decode()
        found = re.search(
            rf'id="id_{field}-error">\s*<span class="nhsuk-u-visually-hidden">Error: </span>'
            r"([^<]*?)\s*</span>",
            page,
        )
        return html.unescape(found.group(1)) if found else None

    return find


@pytest.fixture
def topic(db) -> HubTopic:
    """A published hub topic, posted by staff."""
    return HubTopic.objects.create(
        title="Feeling listened to", description="What helps?", display_name="PCREF team",
        status="approved",
    )  # fmt: skip
