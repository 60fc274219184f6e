"""Did it work: on a run whose monthly figures are built here, an injected fall in the
Black group's detentions at the action's start is found and a series with no change is
not; the viewer's disclosure policy decides which figures are used."""

from __future__ import annotations

import datetime as dt

import pytest

from pcref.web.dashboard.models import Figure, Metric, ResultsRun
from pcref.web.governance.did_it_work import BREAKDOWN, evaluate
from pcref.web.governance.models import Action

START = dt.date(2024, 4, 1)
#: 36 months, April 2022 to March 2025: 24 before the action start, 12 from it on.
MONTHS = [f"{2022 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in range(36)]
BLACK_POPULATION, WHITE_POPULATION = 10_000.0, 100_000.0


def _black_count(i: int, step: bool) -> int:
    """30 and 34 alternately (the ratio's noise); halved from the action's start if step."""
    count = 30 if i % 2 == 0 else 34
    return count // 2 if step and i >= 24 else count


def _white_count(i: int) -> int:
    return 100 if i % 2 == 0 else 104


def build_run(run_id: str, *, step: bool, withheld_public_month: str | None = None,
              withheld_month: str | None = None):
    run = ResultsRun.objects.create(
        run_id=run_id, created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        periods=["2022-23", "2023-24", "2024-25"], code_version="test", input_fingerprint="t",
        metadata={"run_id": run_id}, is_current=True, source_path="/tmp/x",
    )  # fmt: skip
    metric = Metric.objects.create(
        run=run, metric_id="mha_detentions", title="Detentions under the Mental Health Act",
        description="Detentions per 100,000.", family="Mental Health Act",
        unit="per 100,000 population", method="rate",
        breakdowns=["total", "ethnicity_5", "month"], reference_group={"ethnicity_5": "White"},
        improvement_direction="decrease", sentence="were detained", source="t", sql="SELECT 1",
    )  # fmt: skip
    rows = []
    for policy in ("nhse", "public"):
        for i, month in enumerate(MONTHS):
            black, white = _black_count(i, step), _white_count(i)
            black_rate = black / BLACK_POPULATION * 100_000
            white_rate = white / WHITE_POPULATION * 100_000
            for group, count, population, rate, ratio in (
                ("Black or Black British", black, BLACK_POPULATION, black_rate,
                 black_rate / white_rate),
                ("White", white, WHITE_POPULATION, white_rate, 1.0),
            ):  # fmt: skip
                withheld = group == "Black or Black British" and (
                    (policy == "public" and month == withheld_public_month)
                    or month == withheld_month)
                rows.append(Figure(
                    run=run, metric=metric, disclosure_policy=policy, period="x",
                    breakdown=BREAKDOWN, group=group, subgroup=month, statistic="crude rate",
                    numerator=None if withheld else count, denominator=population,
                    value=None if withheld else rate, ratio=None if withheld else ratio,
                    unit=metric.unit, comparator="White", suppressed=withheld,
                    status="suppressed" if withheld else "shown",
                    display_value="*" if withheld else f"{rate:.1f}",
                ))  # fmt: skip
    Figure.objects.bulk_create(rows)
    return run, metric


def add_quarters(run, metric, *, step: bool) -> None:
    """Quarterly rows (2022-23 Q1 to 2024-25 Q4) under the internal policy: Black 96 a
    quarter before the action and 48 from it on if ``step`` (else 96), White 306."""
    rows = []
    for i, label in enumerate(f"{year}-{year - 1999} Q{q}" for year in (2022, 2023, 2024)
                              for q in (1, 2, 3, 4)):
        black = 48 if step and i >= 8 else 96
        for group, count, population in (("Black or Black British", black, BLACK_POPULATION),
                                         ("White", 306, WHITE_POPULATION)):
            rate = count / population * 100_000
            rows.append(Figure(
                run=run, metric=metric, disclosure_policy="nhse", period="x",
                breakdown="ethnicity_5 x quarter", group=group, subgroup=label,
                statistic="crude rate", numerator=count, denominator=population, value=rate,
                ratio=rate / 306, unit=metric.unit, suppressed=False, status="shown",
                display_value=f"{rate:.1f}",
            ))  # fmt: skip
    Figure.objects.bulk_create(rows)


def _figures(run):
    return list(Figure.objects.filter(run=run, disclosure_policy="nhse"))


@pytest.mark.django_db
def test_an_injected_fall_is_detected():
    run, metric = build_run("step", step=True)
    result = evaluate(metric, "Black or Black British", START, _figures(run))
    assert result.unavailable == ""
    assert result.measure == "rate ratio"
    # Hand-worked: before, Black 32/month on 10,000 against White 102 on 100,000: 3.137;
    # after, Black 16/month: 1.569; after ÷ before 0.5.
    assert result.change.before == pytest.approx(3.1373, abs=1e-3)
    assert result.change.after == pytest.approx(1.5686, abs=1e-3)
    assert result.change.ratio == pytest.approx(0.5, abs=1e-9)
    assert result.change.upper < 1
    assert result.variation.signal == "improvement"
    assert result.verdict.outcome == "improved"
    # SE(ln) = √(1/192 + 1/1224 + 1/768 + 1/2448) = 0.0880 (16 and 102 a month for 12 months
    # after, 32 and 102 for 24 before); 0.5 × exp(∓1.96 × 0.0880) = 0.42 to 0.59.
    assert result.verdict.sentence == (
        "The rate ratio of detentions under the Mental Health Act for Black or Black British "
        "people (compared with White) fell from 3.1 to 1.6 (after ÷ before 0.50, 95% CI 0.42 "
        "to 0.59); the change is beyond normal variation."
    )
    assert [m["after"] for m in result.months] == [False] * 24 + [True] * 12
    from pcref.web.dashboard.charts import chart_values

    shown = {round(v["value"], 2) for v in chart_values(result.chart) if "value" in v}
    assert shown == {m["value"] for m in result.months}  # the chart carries the table's values
    assert {"date": "2024-04-01", "label": "Action starts"} in chart_values(result.chart)


@pytest.mark.django_db
def test_no_change_is_not_called_a_change():
    run, metric = build_run("flat", step=False)
    result = evaluate(metric, "Black or Black British", START, _figures(run))
    assert result.change.ratio == pytest.approx(1.0)
    assert result.change.lower < 1 < result.change.upper
    assert result.variation.signal == "common cause"
    assert result.verdict.outcome == "no clear change"
    assert "the difference could be chance" in result.verdict.sentence


@pytest.mark.django_db
def test_the_reference_group_is_judged_on_its_own_rate():
    run, metric = build_run("white", step=False)
    result = evaluate(metric, "White", START, _figures(run))
    assert result.measure == "rate"
    assert result.change.before == pytest.approx(102.0)  # per 100,000, hand-worked
    assert result.verdict.outcome == "no clear change"


@pytest.mark.django_db
def test_an_action_starting_after_the_last_month_cannot_be_evaluated():
    run, metric = build_run("late", step=False)
    result = evaluate(metric, "Black or Black British", dt.date(2025, 6, 1), _figures(run))
    assert "need to include months both before and after" in result.unavailable
    assert result.verdict is None


@pytest.mark.django_db
def test_the_page_follows_the_viewers_disclosure_policy(client_for):
    build_run("policy", step=True, withheld_public_month="2023-06")
    action = Action.objects.create(
        title="Advocacy on wards", priority_area="mha_detentions", competencies=["co_production"],
        metric_id="mha_detentions", ethnic_group="Black or Black British", owner="Chief Nurse",
        start_date=START, due_date=dt.date(2026, 3, 31),
    )  # fmt: skip
    url = f"/governance/actions/{action.pk}/did-it-work/"
    analyst = client_for("analyst").get(url).content.decode()  # internal figures
    assert "the change is beyond normal variation" in analyst
    assert 'id="chart-spec-did-it-work"' in analyst
    viewer = client_for("viewer").get(url).content.decode()  # public figures: June withheld
    assert "withheld under your disclosure policy (2023-06)" in viewer
    assert "chart-spec-did-it-work" not in viewer


@pytest.mark.django_db
def test_quarters_are_used_when_a_month_is_withheld():
    run, metric = build_run("quarters", step=True, withheld_month="2023-06")
    add_quarters(run, metric, step=True)
    result = evaluate(metric, "Black or Black British", START, _figures(run))
    assert result.time == "quarter"
    assert "withheld under your disclosure policy (2023-06)" in result.note
    assert [m["after"] for m in result.months] == [False] * 8 + [True] * 4
    # Hand-worked: before 96/10,000 against 306/100,000 = 3.137; after 48: 1.569.
    assert result.change.ratio == pytest.approx(0.5)
    assert result.change.upper < 1
    assert result.variation.signal == "too few months"  # 8 quarters before: no chart verdict
    assert result.verdict.outcome == "improved"
    assert "with only 8 quarters before the action there are too few" in result.verdict.sentence


@pytest.mark.django_db
def test_without_usable_months_or_quarters_it_says_why():
    run, metric = build_run("nothing", step=True, withheld_month="2023-06")
    result = evaluate(metric, "Black or Black British", START, _figures(run))
    assert result.change is None
    assert "withheld under your disclosure policy (2023-06)" in result.unavailable
