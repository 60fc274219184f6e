"""Staff roles and what each may do (DESIGN §10: least privilege, tested URL by URL).

A role is a Django group holding exactly the permissions listed here; :func:`sync_roles`
makes the groups match this module after every migration, so the code is the one source
of truth and drift in the database is repaired. Views check permissions, never role names.

Small numbers follow the role: :func:`disclosure_policy_for` gives the internal
disclosure-control policy (NHS England's MHSDS rule by default) to people whose role may
see it and the strict public policy to everyone else; anything public always uses
:func:`public_disclosure_policy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission

if TYPE_CHECKING:
    from pcref.disclosure import Policy

VIEW_RESULTS = "accounts.view_results"
VIEW_INTERNAL_FIGURES = "accounts.view_internal_figures"
EXPORT_RESULTS = "accounts.export_results"
MODERATE_FEEDBACK = "accounts.moderate_feedback"
MANAGE_PCREF_PLAN = "accounts.manage_pcref_plan"
VIEW_AUDIT_LOG = "accounts.view_audit_log"


@dataclass(frozen=True)
class Role:
    """One staff role: its group name, who holds it, and its permissions."""

    slug: str
    name: str
    description: str
    permissions: frozenset[str]


ROLES: tuple[Role, ...] = (
    Role(
        slug="viewer",
        name="Viewer",
        description=(
            "Reads dashboards of aggregated results, with small numbers under the public "
            "policy: for example board members, team managers and clinicians."
        ),
        permissions=frozenset({VIEW_RESULTS}),
    ),
    Role(
        slug="analyst",
        name="Analyst",
        description=(
            "Checks and exports results, seeing small numbers under the internal "
            "disclosure policy."
        ),
        permissions=frozenset({VIEW_RESULTS, VIEW_INTERNAL_FIGURES, EXPORT_RESULTS}),
    ),
    Role(
        slug="moderator",
        name="Moderator",
        description=(
            "Triages and moderates feedback, handling safeguarding concerns first. "
            "Does not see results."
        ),
        permissions=frozenset({MODERATE_FEEDBACK}),
    ),
    Role(
        slug="pcref_lead",
        name="PCREF lead",
        description=(
            "Leads the trust's PCREF: reads and exports results under the internal policy, "
            "manages the action plan and what is published."
        ),
        permissions=frozenset(
            {VIEW_RESULTS, VIEW_INTERNAL_FIGURES, EXPORT_RESULTS, MANAGE_PCREF_PLAN}
        ),
    ),
    Role(
        slug="administrator",
        name="Administrator",
        description="Looks after the service and reads the audit log. Does not see results.",
        permissions=frozenset({VIEW_AUDIT_LOG}),
    ),
)

ROLE_BY_SLUG: dict[str, Role] = {role.slug: role for role in ROLES}
ROLE_NAMES: frozenset[str] = frozenset(role.name for role in ROLES)


def get_role(slug: str) -> Role:
    """The role called ``slug``; an unknown slug is an error naming the known ones."""
    try:
        return ROLE_BY_SLUG[slug]
    except KeyError:
        known = sorted(ROLE_BY_SLUG)
        raise ValueError(f"role {slug!r}: unknown; expected one of {known}") from None


def _permission_objects(names: Iterable[str], *, strict: bool) -> list[Permission]:
    found = []
    for name in sorted(names):
        app_label, codename = name.split(".", 1)
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is None:
            if strict:
                raise LookupError(f"permission {name!r} does not exist (are migrations applied?)")
            continue
        found.append(permission)
    return found


def sync_roles(*, strict: bool = True) -> dict[str, Group]:
    """Create or repair one group per role so it holds exactly the role's permissions.

    With ``strict`` (the default) a permission that does not exist is an error; the
    post-migrate hook is lenient because apps later in the list have not yet created
    theirs when it first runs (it runs again after each app).
    """
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        group.permissions.set(_permission_objects(role.permissions, strict=strict))
        groups[role.slug] = group
    return groups


def sync_roles_after_migrate(**_: Any) -> None:
    """``post_migrate`` hook: keep the role groups in step with :data:`ROLES`."""
    sync_roles(strict=False)


def roles_of(user: Any) -> list[Role]:
    """The roles ``user`` holds, in the order of :data:`ROLES`."""
    if not getattr(user, "is_authenticated", False):
        return []
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in ROLES if role.name in names]


def assign_roles(user: Any, slugs: Iterable[str]) -> None:
    """Give ``user`` exactly the roles ``slugs`` (other groups are left alone)."""
    wanted = [get_role(slug) for slug in slugs]
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_NAMES)}
    if any(role.name not in groups for role in wanted):
        groups = {ROLE_BY_SLUG[slug].name: group for slug, group in sync_roles().items()}
    keep = [group for group in user.groups.all() if group.name not in ROLE_NAMES]
    user.groups.set(keep + [groups[role.name] for role in wanted])


def disclosure_policy_for(user: Any) -> Policy:
    """The disclosure-control policy for figures shown to ``user``.

    The internal policy (``PCREF_INTERNAL_DISCLOSURE_POLICY``, NHS England's MHSDS rule
    by default) for people whose role includes ``view_internal_figures``; the strict
    public policy for everyone else, including people not signed in.
    """
    from pcref.disclosure import PUBLIC, resolve_policy

    if getattr(user, "is_authenticated", False) and user.has_perm(VIEW_INTERNAL_FIGURES):
        return resolve_policy(settings.PCREF_INTERNAL_DISCLOSURE_POLICY)
    return PUBLIC


def public_disclosure_policy() -> Policy:
    """The policy for anything published outside the trust: always the public one."""
    from pcref.disclosure import PUBLIC

    return PUBLIC
