"""Write the generated code-list documentation: ``python -m pcref.codelists [PATH]``.

Without PATH the Markdown is printed to standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pcref.codelists._docs import render_markdown


def main(argv: list[str]) -> int:
    text = render_markdown()
    if not argv:
        sys.stdout.write(text)
        return 0
    if len(argv) > 1:
        sys.stderr.write("usage: python -m pcref.codelists [PATH]\n")
        return 2
    Path(argv[0]).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
