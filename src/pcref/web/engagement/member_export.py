"""A network member's own record as they can download it (UK GDPR Art 15 and 20): every
field held about them in words, as JSON or CSV, including the consent wording they agreed
to and the groups and hub posts linked to them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pcref.web.core.csv_export import spreadsheet_safe
from pcref.web.engagement.choices import ContactMethod, Interest, labels
from pcref.web.engagement.models import HubContribution, HubTopic, NetworkMember


def member_record(member: NetworkMember) -> dict[str, Any]:
    """Everything held about ``member``, keyed by what each item is."""
    return {
        "name": member.name,
        "email": member.email,
        "phone": member.phone,
        "postal_address": member.postal_address,
        "contact_methods": labels(member.contact_methods, ContactMethod),
        "interests": labels(member.interests, Interest),
        "communities": member.communities,
        "languages": member.languages,
        "access_needs": member.access_needs,
        "agreed_to_be_contacted": member.contact_consent,
        "consent_wording_version": member.consent_wording.version,
        "consent_wording": member.consent_wording.text,
        "consent_given_at": member.consented_at.isoformat(),
        "joined_at": member.joined_at.isoformat(),
        "partnership_groups": [
            {"group": str(m.group), "role": m.role, "agreed_on": m.agreed_on.isoformat()}
            for m in member.groups.select_related("group")
        ],
        "hub_topics": [
            {"title": t.title, "display_name": t.display_name, "status": t.get_status_display()}
            for t in HubTopic.objects.filter(member=member)
        ],
        "hub_contributions": [
            {
                "topic": c.topic.title,
                "display_name": c.display_name,
                "text": c.text,
                "status": c.get_status_display(),
                "submitted_at": c.submitted_at.isoformat(),
            }
            for c in HubContribution.objects.filter(member=member).select_related("topic")
        ],
    }


def as_json(member: NetworkMember) -> str:
    return json.dumps(member_record(member), indent=2, ensure_ascii=False) + "\n"


def as_csv(member: NetworkMember) -> str:
    """Two columns, ``item`` and ``value``: lists are joined with "; ", and groups and hub
    posts get one row each, so the file reads in any spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item", "value"])
    for key, value in member_record(member).items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for number, entry in enumerate(value, start=1):
                text = "; ".join(f"{k}: {v}" for k, v in entry.items())
                writer.writerow([f"{key} {number}", spreadsheet_safe(text)])
        elif isinstance(value, list):
            writer.writerow([key, spreadsheet_safe("; ".join(value))])
        else:
            writer.writerow([key, spreadsheet_safe(value)])
    return out.getvalue()
