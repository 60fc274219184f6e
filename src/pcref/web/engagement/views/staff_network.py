"""Staff pages for the co-creation network: who may be contacted about each interest
(consent respected: only members who agreed to be contacted and chose that interest), an
audited export of that list, and the versions of the consent wording."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.core.audit import AuditAction, record, record_export
from pcref.web.core.csv_export import spreadsheet_safe
from pcref.web.engagement.choices import ContactMethod, Interest
from pcref.web.engagement.forms import ConsentWordingForm
from pcref.web.engagement.models import ConsentWording, NetworkMember
from pcref.web.engagement.permissions import MANAGE_ENGAGEMENT

#: What the export's audit event says about disclosure control: these are named people's
#: contact details released with their consent, not figures.
EXPORT_POLICY = "not applicable: consented contact details"


def contactable_about(interest: str) -> list[NetworkMember]:
    """Members who agreed to be contacted and chose ``interest``, by name.

    Filtered in Python because JSON containment queries differ between SQLite and
    PostgreSQL; the network is small (thousands at most).
    """
    members = NetworkMember.objects.filter(contact_consent=True).order_by("name", "id")
    return [member for member in members if interest in member.interests]


def _interest_or_none(request: HttpRequest) -> str | None:
    wanted = request.GET.get("interest", "")
    return wanted if wanted in Interest.values else None


@permission_required(MANAGE_ENGAGEMENT, raise_exception=True)
@never_cache
@require_http_methods(["GET"])
def members(request: HttpRequest) -> HttpResponse:
    """Without an interest: how many people may be contacted about each. With one: who
    they are and how they want to be contacted (the viewing is audited)."""
    interest = _interest_or_none(request)
    consenting = NetworkMember.objects.filter(contact_consent=True)
    counts = {code: 0 for code in Interest.values}
    for codes in consenting.values_list("interests", flat=True):
        for code in codes:
            if code in counts:
                counts[code] += 1
    listed = contactable_about(interest) if interest else []
    if interest:
        record(
            AuditAction.NETWORK_MEMBERS_VIEWED,
            request=request,
            detail={"interest": interest, "members": len(listed)},
        )
    return render(
        request,
        "engagement/staff_members.jinja",
        {
            "interest": interest,
            "interest_label": Interest(interest).label if interest else "",
            "counts": [(code, label, counts[code]) for code, label in Interest.choices],
            "members": listed,
            "methods": dict(ContactMethod.choices),
            "total": NetworkMember.objects.count(),
            "withdrawn": NetworkMember.objects.filter(contact_consent=False).count(),
        },
    )


@permission_required(MANAGE_ENGAGEMENT, raise_exception=True)
@never_cache
@require_http_methods(["GET"])
def members_export(request: HttpRequest) -> HttpResponse:
    """CSV of the members who may be contacted about one interest; audited."""
    interest = _interest_or_none(request)
    if interest is None:
        messages.info(request, "Choose an interest to export")
        return redirect("engagement:network_members")
    listed = contactable_about(interest)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["name", "contact_methods", "email", "phone", "postal_address", "languages",
         "access_needs", "consent_wording_version"]
    )  # fmt: skip
    methods = dict(ContactMethod.choices)
    for member in listed:
        writer.writerow(
            spreadsheet_safe(value)
            for value in (
                member.name,
                "; ".join(str(methods.get(m, m)) for m in member.contact_methods),
                member.email if ContactMethod.EMAIL in member.contact_methods else "",
                member.phone
                if {ContactMethod.PHONE, ContactMethod.TEXT} & set(member.contact_methods)
                else "",
                member.postal_address if ContactMethod.POST in member.contact_methods else "",
                member.languages,
                member.access_needs,
                member.consent_wording.version,
            )
        )
    record_export(
        request,
        f"co-creation network members interested in {Interest(interest).label}",
        file_format="csv",
        disclosure_policy=EXPORT_POLICY,
        interest=interest,
        members=len(listed),
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network-{interest}.csv"'
    return response


@permission_required(MANAGE_ENGAGEMENT, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def consent_wording(request: HttpRequest) -> HttpResponse:
    """Every version of the consent wording, how many members agreed to each, and a form
    for a new version (never an edit: members keep the version they agreed to)."""
    form = ConsentWordingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            latest = ConsentWording.objects.select_for_update().aggregate(v=Max("version"))["v"]
            starts = timezone.make_aware(
                datetime.combine(form.cleaned_data["in_force_from"], time.min)
            )
            wording = ConsentWording.objects.create(
                version=(latest or 0) + 1,
                text=form.cleaned_data["text"].strip(),
                in_force_from=max(starts, timezone.now()),
            )
            record(AuditAction.CONSENT_WORDING_ADDED, request=request, obj=wording)
        messages.success(request, f"Consent wording version {wording.version} added")
        return redirect("engagement:consent_wording")
    versions = ConsentWording.objects.annotate(agreed=Count("members"))
    return render(
        request,
        "engagement/consent_wording.jinja",
        {"form": form, "versions": versions, "in_force": ConsentWording.objects.in_force()},
    )
