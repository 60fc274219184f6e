"""The hourly limit on the network's and hub's public forms, which need no sign-in.

Joining, asking for a self-service link, contributing, suggesting a topic and reporting
share one count per connection (``PCREF_ENGAGEMENT_POSTS_PER_HOUR``), kept the way the
feedback form keeps its own: a daily-rotating salted hash in the cache, no address
anywhere (:mod:`pcref.web.core.rate_limit`). Over the limit, the form is shown again with
what was typed and an error saying to try again in an hour, so nothing is lost.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from pcref.web.core.rate_limit import HourlyLimit

ENGAGEMENT_LIMIT = HourlyLimit("engagement", "PCREF_ENGAGEMENT_POSTS_PER_HOUR")

TOO_MANY = (
    "A lot has been sent from your connection in the last hour. Try again in an hour. If you "
    "share a connection with other people, for example at a library, this may be because of "
    "them."
)


def refused(request: HttpRequest, form: forms.Form) -> bool:
    """Count this valid post against the connection's limit, or refuse it.

    ``True`` when the connection is already at its limit: the post must not be kept, and
    the form now carries the error for the page's error summary (:func:`page_status` then
    gives 429). Posts caught by the honeypot are not kept anyway, so they are not counted.
    """
    if not ENGAGEMENT_LIMIT.may_send(request):
        form.add_error(None, TOO_MANY)
        return True
    ENGAGEMENT_LIMIT.count_sent(request)
    return False


def page_status(form: forms.Form) -> int:
    """The form page's HTTP status: 429 (Too Many Requests) when it was refused."""
    return 429 if TOO_MANY in form.non_field_errors() else 200
