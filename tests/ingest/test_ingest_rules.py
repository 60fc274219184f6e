"""The rule catalogue: complete, documented in docs/ingest.md, and every rule reachable."""

from pathlib import Path

from pcref.ingest import RULES, Severity
from pcref.ingest.rules import rules_markdown

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "ingest.md"
SOURCES = [REPO / "src" / "pcref" / "ingest" / name for name in ("reader.py", "checks.py")]


def test_doc_embeds_the_generated_rule_table():
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    embedded = text[text.index(start) + len(start): text.index(end)]
    assert embedded == rules_markdown(), (
        "docs/ingest.md is out of date: paste pcref.ingest.rules.rules_markdown() "
        "between the rules markers")
    for rule in RULES:
        assert f"`{rule.id}`" in text


def test_every_rule_is_raised_somewhere():
    code = "".join(path.read_text(encoding="utf-8") for path in SOURCES)
    for rule in RULES:
        assert f'"{rule.id}"' in code, rule.id


def test_catalogue_is_well_formed():
    assert len({rule.id for rule in RULES}) == len(RULES)
    assert {rule.severity for rule in RULES} == {Severity.FATAL, Severity.WARNING}
    assert {rule.level for rule in RULES} == {"file", "column", "value"}
    assert all(rule.description.endswith(".") for rule in RULES)
    # Recording gaps are facts about the data, never reasons to refuse it.
    warnings = {rule.id for rule in RULES if rule.severity is Severity.WARNING}
    assert {"optional_value_missing", "code_not_stated_or_known",
            "person_without_activity"} <= warnings
