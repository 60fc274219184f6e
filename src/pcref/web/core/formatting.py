"""Dates and times written the NHS way, for pages.

NHS digital service manual, A to Z of content style: dates as "26 November 2025" (no
leading zero, month in full), times as "9am", "2:30pm", "midday" and "midnight" (12-hour
clock, no leading zero, no ":00", no space before am/pm).
https://service-manual.nhs.uk/content/a-to-z-of-nhs-health-writing (Dates; Times)
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def nhs_date(value: date | datetime) -> str:
    """``date(2025, 11, 6)`` → ``"6 November 2025"`` (aware datetimes in local time)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def nhs_time(value: time | datetime) -> str:
    """``time(14, 30)`` → ``"2:30pm"``; ``time(9)`` → ``"9am"``; noon and midnight in words."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if value.minute == 0 and value.hour == 12:
        return "midday"
    if value.minute == 0 and value.hour == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{suffix}"


def nhs_datetime(value: datetime) -> str:
    """``datetime(2025, 11, 6, 14, 30)`` → ``"6 November 2025 at 2:30pm"`` (local time)."""
    return f"{nhs_date(value)} at {nhs_time(value)}"


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def time_since(then: datetime, now: datetime | None = None) -> str:
    """How long ago ``then`` was, in its largest whole unit: ``"3 hours ago"``,
    ``"1 day ago"``, ``"just now"`` (under a minute). For queues where waiting time
    matters more than the exact time, which sits beside it."""
    seconds = ((now or timezone.now()) - then).total_seconds()
    for unit, size in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"
