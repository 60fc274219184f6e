"""Self-service without an account: the signed link's life (working, expired, tampered
with, stale after erasure or a new generation), what the download holds, changing consent
against the wording in force, and erasure that really removes the rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pcref.web.core.models import AuditEvent
from pcref.web.engagement.models import (
    ConsentWording,
    GroupMembership,
    HubContribution,
    HubTopic,
    NetworkMember,
    PartnershipGroup,
)
from pcref.web.engagement.self_service import SALT, make_token

pytestmark = pytest.mark.django_db


def test_a_fresh_link_shows_the_members_details(member, details_url):
    page = Client().get(details_url(member))
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("Amara Okonkwo", "amara@example.org", "07700 900982", "English, Yoruba",
                  "Large print", "Consent wording version 1"):  # fmt: skip
        assert shown in text
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]


def test_using_a_link_counts_as_activity(member, details_url):
    NetworkMember.objects.filter(pk=member.pk).update(
        last_active_at=timezone.now() - timedelta(days=900)
    )
    Client().get(details_url(member))
    member.refresh_from_db()
    assert timezone.now() - member.last_active_at < timedelta(minutes=1)


def test_an_expired_link_is_refused(member, settings, details_url):
    url = details_url(member)
    settings.PCREF_SELF_SERVICE_LINK_HOURS = 0  # every link is now older than its life
    page = Client().get(url)
    assert page.status_code == 400
    assert "This link has expired." in page.content.decode()
    assert "Amara" not in page.content.decode()


@pytest.mark.parametrize("page_name", ["member_details", "member_consent", "member_erase"])
def test_a_tampered_link_is_refused_on_every_page(member, make_member, page_name):
    other = make_member("Kwame Mensah")
    token = make_token(member)
    _, rest = token.split(":", 1)
    forged_payload = signing.dumps({"m": other.pk, "g": 0}, salt=SALT).split(":", 1)[0]
    for forged in (forged_payload + ":" + rest, token[:-2] + "xx", "not-a-link"):
        url = reverse(f"engagement:{page_name}", kwargs={"token": forged})
        response = Client().post(url) if page_name == "member_erase" else Client().get(url)
        assert response.status_code == 400, forged
        assert "This link is not valid" in response.content.decode()
    assert NetworkMember.objects.count() == 2


def test_a_link_signed_for_something_else_is_refused(member):
    token = signing.dumps({"m": member.pk, "g": 0}, salt="some.other.purpose")
    page = Client().get(reverse("engagement:member_details", kwargs={"token": token}))
    assert page.status_code == 400


def test_raising_the_link_generation_retires_old_links(member, details_url):
    url = details_url(member)
    NetworkMember.objects.filter(pk=member.pk).update(link_generation=1)
    page = Client().get(url)
    assert page.status_code == 400 and "This link no longer works." in page.content.decode()


def test_asking_for_a_link_answers_the_same_whoever_asks(member):
    known = Client().post("/co-creation-network/your-details/", {"email": "AMARA@example.org"})
    unknown = Client().post("/co-creation-network/your-details/", {"email": "no@example.org"})
    assert known["Location"] == unknown["Location"] == "/co-creation-network/link-sent/"
    assert [m.to for m in mail.outbox] == [["amara@example.org"]]
    first = Client().get(known["Location"]).content.decode()
    second = Client().get(unknown["Location"]).content.decode()
    assert first.split("<main", 1)[1] == second.split("<main", 1)[1]


def test_repeated_requests_send_one_link_every_ten_minutes(member):
    for _ in range(3):
        Client().post("/co-creation-network/your-details/", {"email": "amara@example.org"})
    assert len(mail.outbox) == 1
    NetworkMember.objects.filter(pk=member.pk).update(
        link_requested_at=timezone.now() - timedelta(minutes=11)
    )
    Client().post("/co-creation-network/your-details/", {"email": "amara@example.org"})
    assert len(mail.outbox) == 2


def test_the_json_download_holds_everything_about_the_member(member, details_url):
    group = PartnershipGroup.objects.get(kind="equity-for-all")
    GroupMembership.objects.create(group=group, member=member, role="Co-chair",
                                   agreed_on=timezone.localdate())  # fmt: skip
    topic = HubTopic.objects.create(title="Interpreters", description="d", display_name="x",
                                    status="approved")  # fmt: skip
    HubContribution.objects.create(topic=topic, member=member, display_name="Sunflower",
                                   text="An interpreter helped.")  # fmt: skip
    response = Client().get(details_url(member, "member_download", file_format="json"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    record = json.loads(response.content)
    assert record["name"] == "Amara Okonkwo"
    assert record["contact_methods"] == ["Email", "Text message"]
    assert record["interests"] == [
        "Discussions in the BAME Co-Creation Hub", "The Equity for All group",
    ]  # fmt: skip
    assert record["consent_wording_version"] == 1
    assert record["consent_wording"] == ConsentWording.objects.get(version=1).text
    assert record["partnership_groups"] == [
        {"group": "Equity for All group", "role": "Co-chair",
         "agreed_on": timezone.localdate().isoformat()}
    ]  # fmt: skip
    [contribution] = record["hub_contributions"]
    assert contribution["text"] == "An interpreter helped."
    assert contribution["status"] == "Waiting for moderation"
    held = {f.name for f in NetworkMember._meta.concrete_fields} - {
        "id", "consent_wording", "consented_at", "contact_consent", "last_active_at",
        "link_generation", "link_requested_at",
    }  # fmt: skip
    assert held <= set(record), held - set(record)  # every personal field is in the file


def test_the_csv_download_reads_in_a_spreadsheet_and_cannot_run_formulas(
    make_member, details_url
):
    member = make_member("=HYPERLINK(\"http://x\") Mensah", languages="@SUM(1)")
    response = Client().get(details_url(member, "member_download", file_format="csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = dict(csv.reader(io.StringIO(response.content.decode())))
    assert rows["item"] == "value"
    assert rows["name"] == "'=HYPERLINK(\"http://x\") Mensah"
    assert rows["languages"] == "'@SUM(1)"
    assert rows["interests"] == (
        "Discussions in the BAME Co-Creation Hub; The Equity for All group"
    )


def test_other_download_formats_are_not_found(member, details_url):
    url = details_url(member, "member_download", file_format="xml")
    assert Client().get(url).status_code == 404


def test_changing_consent_records_the_wording_now_in_force(member, details_url):
    ConsentWording.objects.create(
        version=2, text="Version two.", in_force_from=timezone.now() - timedelta(minutes=1)
    )
    page = Client().get(details_url(member)).content.decode()
    assert "has changed since you joined" in page
    response = Client().post(
        details_url(member, "member_consent"),
        {"contact_consent": "yes", "interests": ["surveys"], "consent": "yes"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.consent_wording.version == 2 and member.interests == ["surveys"]
    event = AuditEvent.objects.get(action="network_consent_changed")
    assert event.detail == {"consent_wording_version": 2, "contact_consent": True}
    assert "Amara" not in event.object_repr


def test_withdrawing_contact_keeps_the_member_but_hides_them_from_staff(member, details_url):
    Client().post(details_url(member, "member_consent"),
                  {"contact_consent": "no", "consent": "yes"})  # fmt: skip
    member.refresh_from_db()
    assert member.contact_consent is False


def test_consent_must_be_agreed_again_to_save(member, details_url, field_error):
    response = Client().post(details_url(member, "member_consent"),
                             {"contact_consent": "yes", "interests": ["surveys"]})  # fmt: skip
    assert "Tick the box" in field_error(response, "consent")
    member.refresh_from_db()
    assert member.interests == ["co_creation_hub", "equity_for_all"]


def test_erasure_removes_every_row_about_the_member(member, make_member, details_url):
    other = make_member("Kwame Mensah")
    group = PartnershipGroup.objects.get(kind="equity-for-all")
    GroupMembership.objects.create(group=group, member=member, agreed_on=timezone.localdate())
    GroupMembership.objects.create(group=group, member=other, agreed_on=timezone.localdate())
    topic = HubTopic.objects.create(title="t", description="d", display_name="PCREF team",
                                    status="approved")  # fmt: skip
    HubContribution.objects.create(topic=topic, member=member, display_name="A", text="mine")
    HubContribution.objects.create(topic=topic, display_name="B", text="someone else's")
    HubTopic.objects.create(title="my topic", description="d", display_name="A", member=member)
    url = details_url(member, "member_erase")

    assert Client().get(url).status_code == 200  # asking first deletes nothing
    assert NetworkMember.objects.filter(pk=member.pk).exists()
    response = Client().post(url)
    assert response["Location"] == "/co-creation-network/deleted/"

    assert list(NetworkMember.objects.all()) == [other]
    assert list(GroupMembership.objects.values_list("member", flat=True)) == [other.pk]
    assert list(HubContribution.objects.values_list("text", flat=True)) == ["someone else's"]
    assert list(HubTopic.objects.values_list("title", flat=True)) == ["t"]
    event = AuditEvent.objects.get(action="network_member_erased")
    assert event.object_id == "" and event.object_repr == ""
    assert "Amara" not in json.dumps(event.detail) and "amara" not in json.dumps(event.detail)
    assert Client().get(url).status_code == 400
