"""Engagement: the co-creation network, the BAME Co-Creation Hub and partnership groups
(DESIGN §8). Personal data lives here only with the person's consent, and they can see,
download and erase it themselves through a signed link (docs/engagement.md)."""
