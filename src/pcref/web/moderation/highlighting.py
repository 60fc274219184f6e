"""Show a comment with the words the safeguarding screen matched marked, safely.

Comments are typed by the public, so every piece of text is escaped; only the ``<mark>``
elements added here are markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """``text`` escaped, with each ``(start, end)`` span wrapped in ``<mark>``.

    Overlapping or touching spans are merged, so nested marks never appear.
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span ({start}, {end}) is outside a text of {len(text)} characters")
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    position = 0
    for start, end in merged:
        pieces.append(escape(text[position:start]))
        pieces.append(Markup("<mark>%s</mark>") % text[start:end])
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
