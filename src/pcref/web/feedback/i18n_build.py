"""Translations of the public pages in the feedback form's languages (the feedback form
and the public PCREF page): find the strings, keep the .po files in step, and compile them
to the .mo files Django reads. Each app keeps its own catalogue in its ``locale/``
(:data:`CATALOGUES`); Django merges them.

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
from dataclasses import dataclass
from pathlib import Path

import polib
from jinja2 import Environment

WEB_DIR = Path(__file__).resolve().parent.parent
REVIEW_STATUS = "for community review"
_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy"}  # as the modules import them


@dataclass(frozen=True)
class Catalogue:
    """One app's translations: where its .po files are and where its strings come from."""

    app_dir: Path
    #: Templates or template folders (from ``src/pcref/web/``) whose ``_()`` and
    #: ``{% trans %}`` strings people see.
    templates: tuple[str, ...]
    #: Python modules whose ``_("...")`` / ``gettext_lazy`` strings people see.
    python_sources: tuple[str, ...] = ()
    #: Template folders written in English only (the easy-read form).
    english_only: tuple[str, ...] = ()

    @property
    def locale_dir(self) -> Path:
        return self.app_dir / "locale"

    def po_files(self) -> list[Path]:
        return sorted(self.locale_dir.glob("*/LC_MESSAGES/django.po"))


#: The language switcher both public pages include.
SWITCHER = "core/jinja2/core/_language_switcher.jinja"
FEEDBACK = Catalogue(
    WEB_DIR / "feedback", templates=("feedback/jinja2/feedback", SWITCHER),
    python_sources=("answers.py", "forms.py", "flows.py", "views.py"),
    english_only=("easy_read",),
)
#: The public PCREF page and the table macros it shares with the board report.
PUBLICATION = Catalogue(
    WEB_DIR / "publication",
    templates=("publication/jinja2/publication/public.jinja",
               "publication/jinja2/publication/_table.jinja", SWITCHER),
    python_sources=("public_page.py",),
)
CATALOGUES = (FEEDBACK, PUBLICATION)


def catalogue_of(path: Path) -> Catalogue:
    """The catalogue a .po file belongs to, by where it is."""
    for catalogue in CATALOGUES:
        if path.resolve().is_relative_to(catalogue.locale_dir):
            return catalogue
    raise ValueError(f"{path}: not in the locale folder of "
                     f"{' or '.join(c.app_dir.name for c in CATALOGUES)}; say which catalogue")


def _template_paths(catalogue: Catalogue) -> Iterator[Path]:
    for name in catalogue.templates:
        found = WEB_DIR / name
        for path in sorted(found.rglob("*.jinja")) if found.is_dir() else [found]:
            if not any(part in catalogue.english_only for part in path.relative_to(found).parts):
                yield path


def _template_strings(catalogue: Catalogue) -> Iterator[str]:
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    for path in _template_paths(catalogue):
        for _line, _function, message in env.extract_translations(path.read_text()):
            # A call with keyword arguments comes back as (message, None, ...).
            text = message[0] if isinstance(message, tuple) else message
            if isinstance(text, str):
                yield text


def _python_strings(catalogue: Catalogue) -> Iterator[str]:
    for name in catalogue.python_sources:
        tree = ast.parse((catalogue.app_dir / name).read_text())
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


def source_strings(catalogue: Catalogue) -> list[str]:
    """Every string of the catalogue's pages that needs translating, in a stable order."""
    return sorted(set(_template_strings(catalogue)) | set(_python_strings(catalogue)))


def po_files() -> list[Path]:
    """Every catalogue's .po files."""
    return [path for catalogue in CATALOGUES for path in catalogue.po_files()]


def _with_catalogues(paths: list[Path] | None,
                     catalogue: Catalogue | None) -> list[tuple[Path, Catalogue]]:
    if paths is None:
        return [(path, c) for c in ([catalogue] if catalogue else CATALOGUES)
                for path in c.po_files()]
    return [(path, catalogue or catalogue_of(path)) for path in paths]


def update(paths: list[Path] | None = None,
           catalogue: Catalogue | None = None) -> dict[Path, int]:
    """Add strings the code uses but a .po file lacks (untranslated), and mark strings it
    no longer uses obsolete. Returns how many were added to each file. ``paths`` outside
    an app's ``locale/`` need their ``catalogue``."""
    added: dict[Path, int] = {}
    for path, source in _with_catalogues(paths, catalogue):
        wanted = source_strings(source)
        catalogue_file = polib.pofile(str(path))
        known = {entry.msgid for entry in catalogue_file}
        for msgid in wanted:
            if msgid not in known:
                catalogue_file.append(polib.POEntry(msgid=msgid, msgstr=""))
        for entry in catalogue_file:
            entry.obsolete = entry.msgid not in wanted
        catalogue_file.save()
        added[path] = len(set(wanted) - known)
    return added


def problems(paths: list[Path] | None = None,
             catalogue: Catalogue | None = None) -> list[str]:
    """What stops a .po file being complete: missing or untranslated strings, a
    translation whose %(name)s placeholders differ, or no community-review mark.
    ``paths`` outside an app's ``locale/`` need their ``catalogue``."""
    found: list[str] = []
    for path, source in _with_catalogues(paths, catalogue):
        wanted = source_strings(source)
        catalogue_file = polib.pofile(str(path))
        if REVIEW_STATUS not in catalogue_file.metadata.get("X-Review-Status", ""):
            found.append(f"{path}: header X-Review-Status must say {REVIEW_STATUS!r}")
        entries = {entry.msgid: entry for entry in catalogue_file if not entry.obsolete}
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
