"""Marking matched words: escaped text, merged spans, and nothing but <mark> as markup."""

import pytest
from markupsafe import Markup

from pcref.web.core.formatting import time_since
from pcref.web.moderation.highlighting import highlight


def test_marks_spans_and_escapes_everything_else():
    text = "<b>I</b> want to die & more"
    start = text.index("want to die")
    html = highlight(text, [(start, start + len("want to die"))])
    assert isinstance(html, Markup)
    assert html == "&lt;b&gt;I&lt;/b&gt; <mark>want to die</mark> &amp; more"


def test_the_marked_words_themselves_are_escaped():
    text = "say <script>alert(1)</script>"
    html = highlight(text, [(4, len(text))])
    assert html == "say <mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>"


def test_overlapping_and_touching_spans_merge():
    assert highlight("abcdefgh", [(4, 6), (1, 3), (2, 5), (6, 7)]) == "a<mark>bcdefg</mark>h"


def test_no_spans_is_just_escaped_text():
    assert highlight("a < b", []) == "a &lt; b"


def test_spans_outside_the_text_are_an_error():
    with pytest.raises(ValueError, match="outside a text of 3 characters"):
        highlight("abc", [(1, 5)])


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "just now"),
        (59, "just now"),
        (60, "1 minute ago"),
        (119, "1 minute ago"),
        (3 * 3600 + 59 * 60, "3 hours ago"),
        (86400, "1 day ago"),
        (3 * 86400 + 7200, "3 days ago"),
    ],
)
def test_time_since_gives_the_largest_whole_unit(seconds, expected):
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert time_since(now - timedelta(seconds=seconds), now) == expected
