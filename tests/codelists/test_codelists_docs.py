"""docs/code-lists.md is generated: the committed file must equal the generator's output."""

from __future__ import annotations

from pathlib import Path

from pcref import codelists
from pcref.codelists.__main__ import main
from pcref.codelists._docs import render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "code-lists.md"


def test_committed_doc_matches_the_generator():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/code-lists.md is stale: run `uv run python -m pcref.codelists docs/code-lists.md`"
    )


def test_doc_has_a_section_and_every_code_for_each_list():
    text = render_markdown()
    for name in codelists.names():
        assert f"\n## {name}\n" in text
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        for code in codelists.codes(name):
            assert f"\n| {code} | " in section, (name, code)


def test_main_writes_the_document(tmp_path):
    target = tmp_path / "code-lists.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_markdown()
    assert main(["a", "b"]) == 2
