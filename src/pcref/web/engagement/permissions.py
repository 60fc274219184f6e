"""Who may do what in engagement, as permissions (never role names):

- managing the network, consent wording and partnership groups: ``manage_pcref_plan``
  (the PCREF lead), because it means reading people's contact details;
- moderating the hub: ``moderate_feedback`` (moderators);
- posting a hub topic as staff: either of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied

from pcref.web.accounts.roles import MANAGE_PCREF_PLAN, MODERATE_FEEDBACK

MANAGE_ENGAGEMENT = MANAGE_PCREF_PLAN
MODERATE_HUB = MODERATE_FEEDBACK


def any_permission_required(*permissions: str) -> Callable:
    """Allow the view to anyone holding at least one of ``permissions``; 403 otherwise
    (sign-in itself is enforced for every page by ``LoginRequiredMiddleware``)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not any(request.user.has_perm(p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
