"""Listening: what people tell the trust in free text, read safely (DESIGN.md §8).

Plain Python, no Django, so the public form, the moderation queue, the co-creation hub and
the command line all use the same rules.

* :mod:`pcref.listening.safeguarding` — the deterministic safeguarding screen that puts a
  comment in the urgent queue (``screen(text)``). A rule screen is never the only gate:
  moderators read every comment before anything is published.

Rules, decisions and their reasons: ``docs/listening.md``.
"""
