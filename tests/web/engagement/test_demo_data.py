"""``manage.py create_demo_engagement``: demo settings only, once, screened like real posts."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pcref.web.engagement.models import HubContribution, NetworkMember, TriangleOfCareAssessment

pytestmark = pytest.mark.django_db


def test_demo_records_are_added_once_and_screened(settings):
    settings.PCREF_ALLOW_DEMO_USERS = True
    out = StringIO()
    call_command("create_demo_engagement", stdout=out)
    assert "(1 flagged by the safeguarding screen)" in out.getvalue()
    assert NetworkMember.objects.count() == 3
    assert set(HubContribution.objects.values_list("status", flat=True)) == {"pending"}
    assert HubContribution.objects.get(urgent=True).display_name == "Night owl"
    assert TriangleOfCareAssessment.objects.count() == 2
    call_command("create_demo_engagement", stdout=StringIO())
    assert NetworkMember.objects.count() == 3


def test_demo_records_are_refused_outside_demo_settings(settings):
    settings.PCREF_ALLOW_DEMO_USERS = False
    with pytest.raises(CommandError, match="demo data is switched off"):
        call_command("create_demo_engagement")
    assert not NetworkMember.objects.exists()
