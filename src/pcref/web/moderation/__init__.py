"""Moderation of feedback (staff side): the safeguarding queue, reading, themes, redaction,
publishing, public responses and "you said, we did" entries; see docs/moderation.md."""
