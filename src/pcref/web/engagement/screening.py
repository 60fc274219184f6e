"""Every hub topic and contribution goes through the same safeguarding screen as feedback
(:func:`pcref.listening.safeguarding.screen`): deterministic, documented rules. What it
flags is marked urgent, shown to moderators first, and never published without a
moderator recording what was done about the concern."""

from __future__ import annotations

from pcref.listening.safeguarding import CATEGORIES
from pcref.listening.safeguarding import screen as screen_text
from pcref.web.engagement.models import HubContribution, HubTopic


def screen(item: HubTopic | HubContribution, *texts: str) -> None:
    """Set ``item.urgent`` and ``item.safeguarding_categories`` from the screen's verdict
    on each of ``texts`` (a topic's title and description are screened separately so a
    rule cannot match across the join). The item is not saved here."""
    found = {category for text in texts for category in screen_text(text).categories}
    item.safeguarding_categories = [c for c in CATEGORIES if c in found]
    item.urgent = bool(found)

