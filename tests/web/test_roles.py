"""Roles: exactly the permissions DESIGN §10 and docs/web.md give them (least privilege),
kept in the database by sync_roles, and the disclosure policy each role's figures follow."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.management import CommandError, call_command

from pcref.disclosure import NHSE, PUBLIC
from pcref.web.accounts.roles import (
    ROLES,
    assign_roles,
    disclosure_policy_for,
    get_role,
    public_disclosure_policy,
    roles_of,
    sync_roles,
)

# The specification, written out: who may do what.
EXPECTED_PERMISSIONS = {
    "viewer": {"view_results"},
    "analyst": {"view_results", "view_internal_figures", "export_results"},
    "moderator": {"moderate_feedback"},
    "pcref_lead": {"view_results", "view_internal_figures", "export_results", "manage_pcref_plan"},
    "administrator": {"view_audit_log"},
}
EXPECTED_NAMES = {
    "viewer": "Viewer",
    "analyst": "Analyst",
    "moderator": "Moderator",
    "pcref_lead": "PCREF lead",
    "administrator": "Administrator",
}


def _group_permissions(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_roles_are_the_five_in_the_design():
    assert {role.slug: role.name for role in ROLES} == EXPECTED_NAMES


def test_each_role_has_exactly_its_permissions():
    for role in ROLES:
        assert role.permissions == {f"accounts.{c}" for c in EXPECTED_PERMISSIONS[role.slug]}


@pytest.mark.django_db
def test_groups_in_the_database_hold_exactly_the_role_permissions():
    groups = sync_roles()
    for slug, group in groups.items():
        assert group.name == EXPECTED_NAMES[slug]
        assert _group_permissions(group) == {f"accounts.{c}" for c in EXPECTED_PERMISSIONS[slug]}


@pytest.mark.django_db
def test_sync_roles_repairs_drift_and_is_idempotent():
    groups = sync_roles()
    viewer = groups["viewer"]
    viewer.permissions.add(Permission.objects.get(codename="view_audit_log"))
    viewer.permissions.add(Permission.objects.get(codename="delete_user"))
    sync_roles()
    sync_roles()
    assert _group_permissions(Group.objects.get(name="Viewer")) == {"accounts.view_results"}
    assert Group.objects.filter(name__in=EXPECTED_NAMES.values()).count() == 5


@pytest.mark.django_db
def test_migrations_leave_the_role_groups_in_place():
    # The test database is built by migrate, whose post_migrate hook syncs the roles.
    names = set(Group.objects.values_list("name", flat=True))
    assert set(EXPECTED_NAMES.values()) <= names


@pytest.mark.django_db
def test_a_role_permission_that_does_not_exist_is_an_error(monkeypatch):
    from dataclasses import replace

    from pcref.web.accounts import roles

    broken = replace(ROLES[0], permissions=frozenset({"accounts.no_such_permission"}))
    monkeypatch.setattr(roles, "ROLES", (broken, *ROLES[1:]))
    with pytest.raises(LookupError, match=r"accounts\.no_such_permission"):
        roles.sync_roles()
    roles.sync_roles(strict=False)  # the post-migrate hook skips it instead


@pytest.mark.django_db
def test_least_privilege_between_roles(users):
    assert not users["moderator"].has_perm("accounts.view_results")
    assert not users["administrator"].has_perm("accounts.view_results")
    assert not users["viewer"].has_perm("accounts.export_results")
    assert not users["viewer"].has_perm("accounts.view_internal_figures")
    assert not users["analyst"].has_perm("accounts.view_audit_log")
    assert not users["no_role"].get_all_permissions()
    for user in users.values():
        assert not user.is_staff and not user.is_superuser
        # No role carries any permission over accounts, groups or other tables.
        assert all(p.startswith("accounts.") for p in user.get_all_permissions())


@pytest.mark.django_db
def test_roles_of_and_assign_roles(make_user):
    other = Group.objects.create(name="Equity for All group")
    user = make_user("someone", "viewer")
    user.groups.add(other)
    assert [role.slug for role in roles_of(user)] == ["viewer"]
    assign_roles(user, ["pcref_lead", "moderator"])
    assert [role.slug for role in roles_of(user)] == ["moderator", "pcref_lead"]
    assert user.groups.filter(name="Equity for All group").exists()  # untouched
    assert roles_of(AnonymousUser()) == []
    with pytest.raises(ValueError, match="'boss': unknown"):
        get_role("boss")


@pytest.mark.django_db
def test_small_numbers_follow_the_role(users):
    # Internal (NHS England: <5 hidden) only for roles with view_internal_figures.
    expected = {
        "viewer": PUBLIC,
        "analyst": NHSE,
        "moderator": PUBLIC,
        "pcref_lead": NHSE,
        "administrator": PUBLIC,
        "no_role": PUBLIC,
    }
    for principal, policy in expected.items():
        assert disclosure_policy_for(users[principal]) == policy, principal
    assert disclosure_policy_for(AnonymousUser()) == PUBLIC
    # The internal policy shows a count of 5 that the public one hides (1-7 suppressed).
    assert disclosure_policy_for(users["analyst"]).suppress_below == 5
    assert PUBLIC.suppress_below == 8


@pytest.mark.django_db
def test_public_figures_always_use_the_public_policy(users, settings):
    assert public_disclosure_policy() == PUBLIC
    settings.PCREF_INTERNAL_DISCLOSURE_POLICY = "public"
    assert disclosure_policy_for(users["analyst"]) == PUBLIC


@pytest.mark.django_db
def test_create_demo_users_is_idempotent_and_prints_working_passwords():
    first = io.StringIO()
    call_command("create_demo_users", stdout=first)
    second = io.StringIO()
    call_command("create_demo_users", stdout=second)
    User = get_user_model()
    assert User.objects.count() == 5
    lines = second.getvalue().splitlines()
    assert lines[0].split() == ["username", "role", "password"]
    for line in lines[1:]:
        username, *role_words, password = line.split()
        user = User.objects.get(username=username)
        assert user.check_password(password), f"printed password for {username} does not work"
        assert [role.name for role in roles_of(user)] == [" ".join(role_words)]
    assert {line.split()[0] for line in lines[1:]} == {
        "demo-viewer", "demo-analyst", "demo-moderator", "demo-pcref-lead", "demo-administrator"
    }  # fmt: skip
    # New passwords each run, so a password printed earlier no longer works.
    old_password = first.getvalue().splitlines()[1].split()[-1]
    assert not User.objects.get(username="demo-viewer").check_password(old_password)


@pytest.mark.django_db
def test_create_demo_users_with_a_given_password():
    call_command("create_demo_users", password="a-shared-demo-password", stdout=io.StringIO())
    user = get_user_model().objects.get(username="demo-analyst")
    assert user.check_password("a-shared-demo-password")


@pytest.mark.django_db
def test_create_demo_users_is_refused_unless_allowed(settings):
    settings.PCREF_ALLOW_DEMO_USERS = False
    with pytest.raises(CommandError, match="PCREF_ALLOW_DEMO_USERS"):
        call_command("create_demo_users", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
