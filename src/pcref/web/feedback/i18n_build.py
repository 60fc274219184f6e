"""Translations of the feedback form: find the strings, keep the .po files in step, and
compile them to the .mo files Django reads.

GNU gettext is not needed (polib does the work), so the web build can run this anywhere
Python runs::

    python -m pcref.web.feedback.i18n_build            # compile every .po to .mo
    python -m pcref.web.feedback.i18n_build --update   # add new strings to the .po files
    python -m pcref.web.feedback.i18n_build --check    # fail if a string is untranslated

The .mo files are build outputs and not committed. Every translation is marked for
community review in its .po header (``X-Review-Status``) until people from the community
have checked it; the form shows a note on those pages (``Flow.for_community_review``).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import polib
from jinja2 import Environment

APP_DIR = Path(__file__).resolve().parent
LOCALE_DIR = APP_DIR / "locale"
TEMPLATE_DIR = APP_DIR / "jinja2" / "feedback"
#: Python modules whose ``_("...")`` / ``gettext_lazy`` strings people see.
PYTHON_SOURCES = ("answers.py", "forms.py", "flows.py", "views.py")
#: Templates written in English only (the easy-read form).
ENGLISH_ONLY = ("easy_read",)
REVIEW_STATUS = "for community review"
_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy"}  # as the modules import them


def _template_strings() -> Iterator[str]:
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    for path in sorted(TEMPLATE_DIR.rglob("*.jinja")):
        if any(part in ENGLISH_ONLY for part in path.relative_to(TEMPLATE_DIR).parts):
            continue
        for _line, _function, message in env.extract_translations(path.read_text()):
            # A call with keyword arguments comes back as (message, None, ...).
            text = message[0] if isinstance(message, tuple) else message
            if isinstance(text, str):
                yield text


def _python_strings() -> Iterator[str]:
    for name in PYTHON_SOURCES:
        tree = ast.parse((APP_DIR / name).read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield node.args[0].value


def source_strings() -> list[str]:
    """Every string of the standard form that needs translating, in a stable order."""
    return sorted(set(_template_strings()) | set(_python_strings()))


def po_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def update(paths: list[Path] | None = None) -> dict[Path, int]:
    """Add strings the code uses but a .po file lacks (untranslated), and mark strings it
    no longer uses obsolete. Returns how many were added to each file."""
    wanted = source_strings()
    added: dict[Path, int] = {}
    for path in paths or po_files():
        catalogue = polib.pofile(str(path))
        known = {entry.msgid for entry in catalogue}
        for msgid in wanted:
            if msgid not in known:
                catalogue.append(polib.POEntry(msgid=msgid, msgstr=""))
        for entry in catalogue:
            entry.obsolete = entry.msgid not in wanted
        catalogue.save()
        added[path] = len(set(wanted) - known)
    return added


def problems(paths: list[Path] | None = None) -> list[str]:
    """What stops a .po file being complete: missing or untranslated strings, a
    translation whose %(name)s placeholders differ, or no community-review mark."""
    wanted = source_strings()
    found: list[str] = []
    for path in paths or po_files():
        catalogue = polib.pofile(str(path))
        if REVIEW_STATUS not in catalogue.metadata.get("X-Review-Status", ""):
            found.append(f"{path}: header X-Review-Status must say {REVIEW_STATUS!r}")
        entries = {entry.msgid: entry for entry in catalogue if not entry.obsolete}
        for msgid in wanted:
            entry = entries.get(msgid)
            if entry is None or not entry.msgstr:
                found.append(f"{path}: no translation for {msgid!r}")
            elif _placeholders(entry.msgid) != _placeholders(entry.msgstr):
                found.append(f"{path}: placeholders differ in the translation of {msgid!r}")
    return found


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]", text))


def compile_all(paths: list[Path] | None = None) -> list[Path]:
    """Write each .po file's .mo beside it; returns the .mo files written."""
    written = []
    for path in paths or po_files():
        target = path.with_suffix(".mo")
        polib.pofile(str(path)).save_as_mofile(str(target))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--update", action="store_true", help="add new strings to the .po files")
    group.add_argument("--check", action="store_true", help="fail if anything is untranslated")
    args = parser.parse_args(argv)
    if args.update:
        for path, count in update().items():
            print(f"{path}: {count} new strings")
        return 0
    if args.check:
        found = problems()
        print("\n".join(found) or "every string is translated")
        return 1 if found else 0
    for target in compile_all():
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
