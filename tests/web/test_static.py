"""The built static files: present, built from the current sources (the same check as
``npm run check``), pinned to the versions the design names, and served from here only."""

import hashlib
import json
import re
from importlib.metadata import version
from pathlib import Path

import altair
import pytest

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
STATIC = REPO / "src" / "pcref" / "web" / "core" / "static"
STAMP = STATIC / ".build.json"
BUILD_HINT = "run ./scripts/web-build"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def stamp() -> dict:
    if not STAMP.is_file():
        pytest.fail(f"the static files have not been built ({BUILD_HINT})")
    return json.loads(STAMP.read_text())


def test_static_files_were_built_from_the_current_sources(stamp):
    sources = [FRONTEND / "build.mjs", FRONTEND / "package.json", FRONTEND / "package-lock.json"]
    sources += sorted(p for p in (FRONTEND / "src").rglob("*") if p.is_file())
    current = {p.relative_to(REPO).as_posix(): _sha256(p) for p in sources}
    assert current == stamp["inputs"], f"frontend sources changed since the build ({BUILD_HINT})"


def test_built_files_are_unchanged_since_the_build(stamp):
    for relative, digest in stamp["outputs"].items():
        path = STATIC / relative
        assert path.is_file(), f"{relative} is missing ({BUILD_HINT})"
        assert _sha256(path) == digest, f"{relative} was changed by hand ({BUILD_HINT})"


def test_the_nhs_frontend_pair_is_pinned_together(stamp):
    # DESIGN §4: nhsuk-frontend-jinja 0.10.2 is the Jinja port of nhsuk-frontend 10.6.1.
    package = json.loads((FRONTEND / "package.json").read_text())
    assert package["dependencies"]["nhsuk-frontend"] == "10.6.1"
    assert stamp["versions"]["nhsuk-frontend"] == "10.6.1"
    assert version("nhsuk-frontend-jinja") == "0.10.2"
    css = (STATIC / "pcref" / "css" / "main.css").read_text()
    assert '--nhsuk-frontend-version: "10.6.1"' in css


def test_vega_lite_matches_the_altair_charts_are_written_with(stamp):
    assert stamp["versions"]["vega-lite"] == altair.VEGALITE_VERSION


def test_every_dependency_is_pinned_exactly():
    package = json.loads((FRONTEND / "package.json").read_text())
    for group in ("dependencies", "devDependencies"):
        for name, wanted in package[group].items():
            assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), f"{name} {wanted} is not exact"


def test_stylesheet_references_resolve_and_stay_on_this_site():
    css_path = STATIC / "pcref" / "css" / "main.css"
    css = css_path.read_text()
    references = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css)
    assert references, "expected the NHS icons to be referenced"
    for reference in references:
        assert not re.match(r"(https?:)?//", reference), f"external reference {reference}"
        if reference.startswith("data:"):
            continue
        assert (css_path.parent / reference).resolve().is_file(), f"{reference} does not exist"
    assert "@font-face" not in css  # no fonts fetched from another origin
    assert "font-family:arial,sans-serif" in css


def test_layout_assets_exist():
    layout = (REPO / "src/pcref/web/core/jinja2/layout.jinja").read_text()
    for reference in re.findall(r"static\('([^']+)'\)", layout):
        assert (STATIC / reference).is_file(), reference
    entry = (STATIC / "pcref" / "js" / "main.js").read_text()
    imported = re.search(r'from "([^"]+)"', entry).group(1)
    assert (STATIC / "pcref" / "js" / imported).resolve().is_file()


def test_chart_libraries_are_shipped_for_the_dashboard():
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        assert (STATIC / "vendor" / "vega" / name).stat().st_size > 10_000
