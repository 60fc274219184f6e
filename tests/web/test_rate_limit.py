"""The per-connection hourly limit shared by the public forms (pcref.web.core.rate_limit):
the key reveals no address and changes daily, each limit keeps its own count, and the count
starts again each hour."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory

from pcref.web.core.rate_limit import HourlyLimit, client_key

DAY = 86400.0
HOUR = 3600.0
#: Ten in the morning on day 20000 (2024-10-04), so the next hour is the same day.
MORNING = 20000 * DAY + 10 * HOUR

pytestmark = pytest.mark.usefixtures("empty_cache")


def _from(address: str):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_the_limit_key_reveals_no_address_and_changes_daily():
    request, other = _from("192.0.2.44"), _from("192.0.2.45")
    today = client_key(request, now=20000 * DAY + 10)
    assert client_key(request, now=20000 * DAY + 80000) == today  # same day, same key
    assert client_key(request, now=20001 * DAY + 10) != today  # the next day, another
    assert client_key(other, now=20000 * DAY + 10) != today
    assert "192.0.2" not in today
    assert re.fullmatch(r"[0-9a-f]{32}", today)


def test_a_connection_is_refused_after_its_limit_and_others_are_not(settings):
    settings.PCREF_TEST_POSTS_PER_HOUR = 3
    limit = HourlyLimit("test", "PCREF_TEST_POSTS_PER_HOUR")
    busy, quiet = _from("198.51.100.7"), _from("198.51.100.8")
    for _ in range(3):
        assert limit.may_send(busy, now=MORNING)
        limit.count_sent(busy, now=MORNING)
    assert not limit.may_send(busy, now=MORNING + 60)
    assert limit.may_send(quiet, now=MORNING + 60)


def test_the_count_starts_again_each_hour(settings):
    settings.PCREF_TEST_POSTS_PER_HOUR = 1
    limit = HourlyLimit("test", "PCREF_TEST_POSTS_PER_HOUR")
    request = _from("198.51.100.7")
    limit.count_sent(request, now=MORNING + HOUR - 1)
    assert not limit.may_send(request, now=MORNING + HOUR - 1)
    assert limit.may_send(request, now=MORNING + HOUR)


def test_each_limit_keeps_its_own_count_and_reads_its_setting_each_time(settings):
    settings.PCREF_TEST_POSTS_PER_HOUR = 1
    settings.PCREF_OTHER_POSTS_PER_HOUR = 1
    first = HourlyLimit("test", "PCREF_TEST_POSTS_PER_HOUR")
    second = HourlyLimit("other", "PCREF_OTHER_POSTS_PER_HOUR")
    request = _from("198.51.100.7")
    first.count_sent(request, now=MORNING)
    assert not first.may_send(request, now=MORNING)
    assert second.may_send(request, now=MORNING)
    settings.PCREF_TEST_POSTS_PER_HOUR = 2
    assert first.may_send(request, now=MORNING)
