"""Public pages (no sign-in): "you said, we did" entries with their progress, and
published comments with the trust's responses. Only what a moderator published is shown,
and only its public (redacted) text: no references, teams, dates to the day or anything
else about the person."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from pcref.web.moderation import workflow
from pcref.web.moderation.models import YouSaidWeDid

COMMENTS_PAGE_SIZE = 25


def _published_entries():
    return YouSaidWeDid.objects.filter(published=True).prefetch_related(
        "updates",
        Prefetch("comments", queryset=workflow.published_comments(), to_attr="published_comments"),
    )


@login_not_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """Every published entry, most recently published first."""
    return render(
        request,
        "moderation/public/index.jinja",
        {"entries": _published_entries().order_by("-published_at", "-pk")},
    )


@login_not_required
@require_http_methods(["GET"])
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry: what people said (with the published comments behind it), what the
    trust did, and dated progress updates."""
    return render(
        request,
        "moderation/public/entry.jinja",
        {"entry": get_object_or_404(_published_entries(), pk=pk)},
    )


@login_not_required
@require_http_methods(["GET"])
def comments(request: HttpRequest) -> HttpResponse:
    """Published comments with the trust's responses, newest first."""
    page = Paginator(workflow.published_comments(), COMMENTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "moderation/public/comments.jinja", {"page": page})
