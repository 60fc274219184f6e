"""Which figures a person gets: a viewer never receives rows made under NHS England's
internal rule, an analyst does; anything public is always the public rows; ``?run=`` picks
an earlier run."""

from __future__ import annotations

import pyarrow.parquet as pq
from django.test import RequestFactory, override_settings

from pcref.disclosure import PUBLIC
from pcref.web.dashboard.figures import (
    current_run,
    figures_for,
    public_figures,
    run_context,
    run_for,
)
from pcref.web.dashboard.loading import load_run


def _policies(queryset) -> set[str]:
    return set(queryset.values_list("disclosure_policy", flat=True))


def test_a_viewer_gets_only_public_rows_and_an_analyst_internal_rows(
        users, loaded_results_run, results_run_folder):
    run = loaded_results_run
    public_rows = pq.read_table(results_run_folder / "public" / "results.parquet").num_rows
    internal_rows = pq.read_table(results_run_folder / "results.parquet").num_rows

    for role in ("viewer", "moderator", "administrator", "no_role"):
        assert _policies(figures_for(users[role], run)) == {"public"}, role
        assert figures_for(users[role], run).count() == public_rows
    for role in ("analyst", "pcref_lead"):
        assert _policies(figures_for(users[role], run)) == {"nhse"}, role
        assert figures_for(users[role], run).count() == internal_rows
    assert _policies(public_figures(run)) == {"public"}
    assert public_figures(run).count() == public_rows


def test_a_viewer_never_sees_a_count_the_public_rule_withholds(users, loaded_results_run):
    # Property of the rows a viewer receives, checked against the public rule itself:
    # no count from 1 to 7, every count a multiple of 5.
    numerators = figures_for(users["viewer"], loaded_results_run).exclude(
        numerator=None).values_list("numerator", flat=True)
    assert numerators
    assert all(not (0 < n < PUBLIC.suppress_below) and n % 5 == 0 for n in numerators)


def test_filters_narrow_the_rows(users, loaded_results_run):
    rows = figures_for(users["analyst"], loaded_results_run,
                       metric__metric_id="access_people_in_contact", breakdown="total",
                       period="2024-25")
    assert rows.count() >= 1
    assert {(r.metric.metric_id, r.breakdown, r.period, r.group) for r in rows} == {
        ("access_people_in_contact", "total", "2024-25", "Total")}


@override_settings(PCREF_INTERNAL_DISCLOSURE_POLICY="public")
def test_when_the_internal_policy_is_public_analysts_get_public_rows(users, loaded_results_run):
    assert _policies(figures_for(users["analyst"], loaded_results_run)) == {"public"}


def test_run_for_follows_the_run_parameter_else_the_current_run(
        db, results_run_folder, second_results_run_folder):
    assert current_run() is None
    first = load_run(results_run_folder).run
    second = load_run(second_results_run_folder).run
    factory = RequestFactory()
    assert run_for(factory.get("/")) == second
    assert run_for(factory.get("/", {"run": first.run_id})) == first
    assert run_for(factory.get("/", {"run": "no-such-run"})) == second

    chosen = run_context(factory.get("/", {"run": first.run_id}))
    assert chosen["run"] == first and chosen["run_query"] == f"?run={first.run_id}"
    assert [r.run_id for r in chosen["runs"]] == [second.run_id, first.run_id]  # newest first
    unknown = run_context(factory.get("/", {"run": "no-such-run"}))
    assert unknown["run"] == second and unknown["unknown_run"] == "no-such-run"
    assert unknown["run_query"] == ""
