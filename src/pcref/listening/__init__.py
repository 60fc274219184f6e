"""Listening: what people tell the trust in free text, read safely (DESIGN.md §8).

Plain Python, no Django, so the public form, the moderation queue, the co-creation hub and
the command line all use the same rules.

* :mod:`pcref.listening.safeguarding` — the deterministic safeguarding screen that puts a
  comment in the urgent queue (``screen(text)``). A rule screen is never the only gate:
  moderators read every comment before anything is published.
* :mod:`pcref.listening.themes` — the theme framework (QDC v7 plus "Equality, diversity and
  racism", ``themes.yaml``) and its keyword baseline; :mod:`pcref.listening.sentiment` —
  three-point sentiment and its word-counting baseline.
* :mod:`pcref.listening.labelled` — labelled comments in the QDC CSV layout;
  :mod:`pcref.listening.questions` — the question a comment answers.
* :mod:`pcref.listening.model` — the trainable TF-IDF + linear model and its model card;
  :mod:`pcref.listening.evaluation` — held-out split and scores;
  :mod:`pcref.listening.commands` — ``pcref feedback train`` / ``evaluate``.
* :mod:`pcref.listening.experience` — ``experience_*`` results rows from feedback responses.

Rules, decisions and their reasons: ``docs/listening.md``.
"""
