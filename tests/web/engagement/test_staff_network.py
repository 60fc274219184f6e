"""Staff see members by interest with consent respected, and every viewing and export is
audited; consent wording is versioned, never edited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from pcref.web.core.models import AuditEvent
from pcref.web.engagement.models import ConsentWording

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(make_member):
    return {
        "amara": make_member("Amara Okonkwo", interests=["equity_for_all", "surveys"],
                             contact_methods=["email", "post"], postal_address="1 High St"),
        "kwame": make_member("Kwame Mensah", interests=["equity_for_all"], phone="01632960001",
                             contact_methods=["phone"]),
        "withdrawn": make_member("Wen Li", interests=["equity_for_all"], contact_consent=False),
        "other": make_member("Priya Shah", interests=["surveys"]),
    }  # fmt: skip


def test_the_list_shows_only_people_who_agreed_to_contact_about_that_interest(
    network, client_for
):
    page = client_for("pcref_lead").get("/engagement/network/?interest=equity_for_all")
    text = page.content.decode()
    assert "Amara Okonkwo" in text and "Kwame Mensah" in text
    assert "Wen Li" not in text  # withdrew consent to contact
    assert "Priya Shah" not in text  # not interested in this
    event = AuditEvent.objects.get(action="network_members_viewed")
    assert event.actor_username == "pcref_lead"
    assert event.detail == {"interest": "equity_for_all", "members": 2}


def test_the_overview_counts_consenting_people_by_interest(network, client_for):
    page = client_for("pcref_lead").get("/engagement/network/").content.decode()
    assert "4 people have joined the network; 1 of them asked not to be contacted" in page
    assert not AuditEvent.objects.filter(action="network_members_viewed").exists()


def test_the_export_gives_only_the_chosen_ways_of_contact_and_is_audited(network, client_for):
    lead = client_for("pcref_lead")
    response = lead.get("/engagement/network/export.csv?interest=equity_for_all")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in rows] == ["Amara Okonkwo", "Kwame Mensah"]
    amara, kwame = rows
    assert (amara["email"], amara["phone"], amara["postal_address"]) == (
        "amara@example.org", "", "1 High St"
    )
    # Kwame chose phone only: his email address is held but not exported.
    assert (kwame["email"], kwame["phone"]) == ("", "01632960001")
    event = AuditEvent.objects.get(action="exported")
    assert event.detail["format"] == "csv" and event.detail["members"] == 2
    assert event.detail["interest"] == "equity_for_all"


def test_an_export_without_an_interest_exports_nothing(network, client_for):
    response = client_for("pcref_lead").get("/engagement/network/export.csv")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="exported").exists()


def test_a_new_wording_is_a_new_version_and_members_keep_theirs(network, client_for):
    start = (timezone.localdate() + timedelta(days=7)).strftime("%d %m %Y")
    client_for("pcref_lead").post("/engagement/consent-wording/",
                                  {"text": "Version two wording.", "in_force_from": start})
    two = ConsentWording.objects.get(version=2)
    assert two.text == "Version two wording."
    assert timezone.localtime(two.in_force_from).date() == timezone.localdate() + timedelta(7)
    assert ConsentWording.objects.in_force().version == 1  # not yet
    assert ConsentWording.objects.in_force(two.in_force_from).version == 2
    network["amara"].refresh_from_db()
    assert network["amara"].consent_wording.version == 1
    assert AuditEvent.objects.filter(action="consent_wording_added").count() == 1


def test_a_wording_cannot_start_in_the_past(client_for, field_error):
    response = client_for("pcref_lead").post(
        "/engagement/consent-wording/", {"text": "x", "in_force_from": "1 1 2020"}
    )
    assert "today or in the future" in field_error(response, "in_force_from")
    assert ConsentWording.objects.count() == 1


def test_the_header_links_to_engagement_pages_by_permission(client_for):
    def links(principal: str) -> set[str]:
        page = client_for(principal).get("/").content.decode()
        return {text for text in ("Co-creation network", "Partnership groups", "Hub moderation")
                if f">{text}<" in page}  # fmt: skip

    assert links("pcref_lead") == {"Co-creation network", "Partnership groups"}
    assert links("moderator") == {"Hub moderation"}
    assert links("viewer") == links("analyst") == links("administrator") == set()
