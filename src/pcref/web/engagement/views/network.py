"""The co-creation network's public pages: joining, asking for a self-service link, and
(through that link, without an account) seeing, downloading, changing and erasing one's
own record. None of these pages needs signing in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.core.audit import AuditAction, record
from pcref.web.engagement import member_export, posting_limit, self_service
from pcref.web.engagement.choices import ContactMethod, Interest, ModerationStatus, labels
from pcref.web.engagement.forms import ConsentChangeForm, JoinNetworkForm, LinkRequestForm
from pcref.web.engagement.models import (
    ConsentWording,
    HubContribution,
    HubTopic,
    NetworkMember,
)

#: Session key holding links to show on screen (local and demo settings only).
SHOWN_LINKS_KEY = "pcref_engagement_shown_links"


def _wording_in_force() -> ConsentWording:
    wording = ConsentWording.objects.in_force()
    if wording is None:
        raise Http404("No consent wording is in force")
    return wording


def _remember_links_to_show(request: HttpRequest, links: list[self_service.SentLink]) -> None:
    shown = [link.url for link in links if link.shown_on_screen]
    if shown:
        request.session[SHOWN_LINKS_KEY] = shown


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Join the co-creation network, agreeing to the consent wording in force."""
    wording = _wording_in_force()
    form = JoinNetworkForm(request.POST or None, wording=wording)
    if request.method == "POST" and form.filled_by_a_program():
        return redirect("engagement:network_joined")  # thanked, not kept
    if request.method == "POST" and form.is_valid() and not posting_limit.refused(request, form):
        with transaction.atomic():
            member = form.save()
        links = [self_service.send_link(request, member)] if member.email else []
        _remember_links_to_show(request, links)
        request.session["pcref_engagement_joined_email"] = bool(member.email)
        return redirect("engagement:network_joined")
    return render(
        request,
        "engagement/join.jinja",
        {"form": form, "wording": wording},
        status=posting_limit.page_status(form),
    )


@login_not_required
@never_cache
@require_http_methods(["GET"])
def joined(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "engagement/joined.jinja",
        {
            "emailed": request.session.pop("pcref_engagement_joined_email", False),
            "shown_links": request.session.pop(SHOWN_LINKS_KEY, []),
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    """Ask for a link to one's details. The answer is the same whether or not the address
    is in the network, so the page cannot be used to find out who has joined."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.filled_by_a_program():
        return redirect("engagement:link_sent")
    if request.method == "POST" and form.is_valid() and not posting_limit.refused(request, form):
        members = NetworkMember.objects.filter(email__iexact=form.cleaned_data["email"])
        sent = [self_service.send_requested_link(request, member) for member in members]
        _remember_links_to_show(request, [link for link in sent if link is not None])
        return redirect("engagement:link_sent")
    return render(
        request,
        "engagement/request_link.jinja",
        {"form": form},
        status=posting_limit.page_status(form),
    )


@login_not_required
@never_cache
@require_http_methods(["GET"])
def link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "engagement/link_sent.jinja",
        {
            "hours": settings.PCREF_SELF_SERVICE_LINK_HOURS,
            "shown_links": request.session.pop(SHOWN_LINKS_KEY, []),
        },
    )


def _member_or_refusal(request: HttpRequest, token: str):
    try:
        return self_service.member_from_token(token), None
    except self_service.LinkRefused as refusal:
        response = render(
            request, "engagement/link_refused.jinja", {"reason": str(refusal)}, status=400
        )
        return None, response


@login_not_required
@never_cache
@require_http_methods(["GET"])
def member_details(request: HttpRequest, token: str) -> HttpResponse:
    """Everything the network holds about the person the link is for."""
    member, refusal = _member_or_refusal(request, token)
    if refusal:
        return refusal
    wording_now = ConsentWording.objects.in_force()
    return render(
        request,
        "engagement/member_details.jinja",
        {
            "member": member,
            "token": token,
            "interests": labels(member.interests, Interest),
            "contact_methods": labels(member.contact_methods, ContactMethod),
            "newer_wording": wording_now and wording_now.version > member.consent_wording.version,
            "memberships": member.groups.select_related("group"),
            "contributions": HubContribution.objects.filter(member=member).count(),
            "topics": HubTopic.objects.filter(status=ModerationStatus.APPROVED)[:10],
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET"])
def member_download(request: HttpRequest, token: str, file_format: str) -> HttpResponse:
    """The person's own record as JSON or CSV (a download, not a page)."""
    member, refusal = _member_or_refusal(request, token)
    if refusal:
        return refusal
    if file_format not in ("json", "csv"):
        raise Http404("Downloads are JSON or CSV")
    if file_format == "json":
        body, content_type = member_export.as_json(member), "application/json"
    else:
        body, content_type = member_export.as_csv(member), "text/csv"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="co-creation-network-details.{file_format}"'
    )
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def member_consent(request: HttpRequest, token: str) -> HttpResponse:
    """Change what the person may be contacted about, or withdraw contact, agreeing to
    the consent wording now in force."""
    member, refusal = _member_or_refusal(request, token)
    if refusal:
        return refusal
    wording = _wording_in_force()
    initial = {
        "interests": member.interests,
        "contact_consent": "yes" if member.contact_consent else "no",
    }
    form = ConsentChangeForm(request.POST or None, initial=initial, wording=wording)
    if request.method == "POST" and form.is_valid():
        form.save(member)
        record(
            AuditAction.NETWORK_CONSENT_CHANGED,
            obj=member,
            detail={
                "consent_wording_version": wording.version,
                "contact_consent": member.contact_consent,
            },
        )
        messages.success(request, "Your choices have been saved")
        return redirect("engagement:member_details", token=token)
    return render(
        request,
        "engagement/member_consent.jinja",
        {"form": form, "member": member, "token": token, "wording": wording},
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def member_erase(request: HttpRequest, token: str) -> HttpResponse:
    """Delete the person's record for good: their details, their group memberships and
    what they posted in the hub as a member. The audit event says only that a record
    was erased."""
    member, refusal = _member_or_refusal(request, token)
    if refusal:
        return refusal
    if request.method == "POST":
        erase_member(member)
        return redirect("engagement:member_erased")
    return render(request, "engagement/member_erase.jinja", {"member": member, "token": token})


def erase_member(member: NetworkMember) -> None:
    """Delete ``member`` and everything linked to them, and record that it happened
    without any of their personal data (not even their number)."""
    with transaction.atomic():
        HubContribution.objects.filter(member=member).delete()
        HubTopic.objects.filter(member=member).delete()
        member.delete()
        record(AuditAction.NETWORK_MEMBER_ERASED, detail={"by": "the member, through their link"})


@login_not_required
@never_cache
@require_http_methods(["GET"])
def member_erased(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/member_erased.jinja")
