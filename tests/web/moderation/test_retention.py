"""`pcref retention`: time travel by storing feedback received long ago, then checking what
each rule deletes or anonymises, that a dry run changes nothing, that a second run finds
nothing, and that other apps can register their own rules."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from pcref.web.core import retention
from pcref.web.core.audit import AuditAction, record
from pcref.web.core.models import AuditEvent
from pcref.web.feedback.models import AboutYou, ContactDetails, Submission
from pcref.web.moderation import workflow
from pcref.web.moderation.models import ModerationStatus, PublicResponse

DAY = 24
FEEDBACK_RULES = (
    "Audit events", "Feedback comments", "Public versions of comments",
    "Public responses to comments", "Contact details", "About-you answers",
)  # fmt: skip


def _results(**kwargs) -> dict[str, int]:
    return {r.rule.name: r.rows for r in retention.apply_retention(**kwargs)}


@pytest.fixture
def old_and_new(make_submission, users):
    """Feedback received 4 years ago (past the 3-year default) and 100 days ago (past
    contact details' 90 days only), each with contact details, about-you answers, and a
    published public version with a response."""
    made = {}
    for name, days in (("old", 4 * 365), ("recent", 100), ("new", 10)):
        submission = make_submission(
            what_was_good=f"{name} good", what_could_be_better=f"{name} better",
            hours_ago=days * DAY,
        )
        ContactDetails.objects.create(submission=submission, email=f"{name}@example.org")
        AboutYou.objects.create(submission=submission, ethnic_category="N")
        workflow.save_moderation(
            submission, themes=[], sentiment="", public_what_was_good=f"{name} public",
            public_what_could_be_better="", decision=ModerationStatus.PUBLISHED,
            by=users["moderator"],
        )
        workflow.save_response(submission, "Thank you", by=users["moderator"])
        made[name] = submission
    return made


@pytest.mark.django_db
def test_each_rule_acts_only_on_records_past_their_period(old_and_new):
    results = _results()
    # Other apps register rules of their own; these are the feedback and audit ones.
    assert {name: results[name] for name in FEEDBACK_RULES} == {
        "Audit events": 0,
        "Feedback comments": 1,
        "Public versions of comments": 1,
        "Public responses to comments": 1,
        "Contact details": 2,
        "About-you answers": 1,
    }
    old = Submission.objects.get(pk=old_and_new["old"].pk)
    assert (old.what_was_good, old.what_could_be_better) == ("", "")
    assert old.fft_answer == 4 and old.respondent_type == "patient"  # kept for the figures
    assert old.moderation.public_what_was_good == "" and old.moderation.status == "private"
    assert not PublicResponse.objects.filter(submission=old).exists()
    assert not ContactDetails.objects.filter(submission=old).exists()
    assert not AboutYou.objects.filter(submission=old).exists()

    recent = Submission.objects.get(pk=old_and_new["recent"].pk)
    assert recent.what_was_good == "recent good"
    assert not ContactDetails.objects.filter(submission=recent).exists()
    assert AboutYou.objects.filter(submission=recent).exists()
    assert ContactDetails.objects.filter(submission=old_and_new["new"]).exists()
    assert {s.pk for s in workflow.published_comments()} == {
        old_and_new["new"].pk, old_and_new["recent"].pk
    }

    # Nothing is left to do, so a second run changes nothing.
    assert set(_results().values()) == {0}
    run = AuditEvent.objects.filter(action="retention_applied").order_by("id").first()
    assert run.detail["Feedback comments"] == 1 and run.actor is None


@pytest.mark.django_db
def test_a_dry_run_counts_but_changes_nothing(old_and_new):
    assert _results(dry_run=True)["Contact details"] == 2
    assert ContactDetails.objects.count() == 3
    assert Submission.objects.get(pk=old_and_new["old"].pk).what_was_good == "old good"
    assert not AuditEvent.objects.filter(action="retention_applied").exists()


@pytest.mark.django_db
def test_periods_come_from_settings(old_and_new):
    with override_settings(PCREF_RETENTION_CONTACT_DETAILS_DAYS=5,
                           PCREF_RETENTION_ABOUT_YOU_DAYS=50):
        results = _results(dry_run=True)
    assert results["Contact details"] == 3
    assert results["About-you answers"] == 2


@pytest.mark.django_db
def test_time_travel_forward_reaches_newer_records(old_and_new):
    later = timezone.now() + timedelta(days=3 * 365)
    assert _results(now=later, dry_run=True)["Feedback comments"] == 3


@pytest.mark.django_db
def test_audit_events_are_kept_unless_a_period_is_set(users):
    event = record(AuditAction.SIGNED_IN, actor=users["viewer"])
    AuditEvent.objects.filter(pk=event.pk).update(occurred_at=timezone.now() - timedelta(days=400))
    assert _results()["Audit events"] == 0
    with override_settings(PCREF_RETENTION_AUDIT_DAYS=365):
        assert _results()["Audit events"] == 1
    assert not AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_other_apps_can_register_rules(monkeypatch, users):
    monkeypatch.setattr(retention, "_RULES", dict(retention._RULES))
    from django.contrib.auth import get_user_model

    User = get_user_model()
    rule = retention.register(
        retention.RetentionRule(
            name="Accounts never used",
            table="auth.User",
            action="deleted",
            period=lambda: "immediately",
            due=lambda now: User.objects.filter(last_login__isnull=True, username="no_role"),
            apply=retention.delete_rows,
        )
    )
    assert rule in retention.registered_rules()
    with pytest.raises(ValueError, match="already registered"):
        retention.register(retention.RetentionRule(
            name="Accounts never used", table="x", action="deleted", period=lambda: "",
            due=lambda now: User.objects.none(), apply=retention.delete_rows,
        ))
    assert _results()["Accounts never used"] == 1
    assert not User.objects.filter(username="no_role").exists()


@pytest.mark.django_db
def test_the_command_says_what_it_did_per_table(old_and_new):
    from rich.console import Console

    from pcref.web.retention_command import run_retention

    console = Console(record=True, width=300)
    assert run_retention(dry_run=True, console=console, err=console) == 0
    dry = console.export_text()
    assert "Dry run: nothing has been changed." in dry
    assert "Contact details (feedback.ContactDetails): 2 would be deleted" in dry
    assert ContactDetails.objects.count() == 3

    assert run_retention(dry_run=False, console=console, err=console) == 0
    done = console.export_text()
    assert "Feedback comments (feedback.Submission): 1 anonymised" in done
    assert "About-you answers (feedback.AboutYou): 1 deleted" in done
    assert "6 row(s) were deleted or anonymised." in done
