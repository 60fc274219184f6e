"""Dashboard pages (people whose role includes ``view_results``)."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pcref.web.accounts.roles import VIEW_RESULTS, disclosure_policy_for


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard landing page. No results run can be loaded into the application
    yet, and the page says so rather than showing anything made up."""
    return render(
        request,
        "dashboard/index.jinja",
        {"disclosure_policy": disclosure_policy_for(request.user)},
    )
