"""Truth recovery: on a synthetic extract with injected ethnic disparities, the whole pipeline
(synthesise → ingest → compute) finds each injected disparity. Where truth.json gives the
metric's own expected value (exact or derived), the 95% interval of the matching result covers
it; for every comparison the estimate lies on the true side of "no difference", and it is
significant wherever the interval is narrow enough to expect that.

The engine never reads truth.json; truth.json's values come from the generator's own
parameters and closed forms (``pcref.synth.truth``), so they are independent of the SQL,
counting and statistics under test. How each truth relates to its metric (exact, derived,
approximate or direction only) is set out in ``recovery.py`` and docs/truth-recovery.md.
"""

from __future__ import annotations

import pytest

from pcref.metrics.catalogue import load_catalogue

pytestmark = pytest.mark.slow

#: A result is required to be significant when an interval of its width would exclude "no
#: difference" at least this often given the true ratio.
POWERED = 0.9


@pytest.fixture(scope="module")
def expected(recovery, default_run):
    return recovery.expectations(default_run.truth)


@pytest.fixture(scope="module")
def assessed(recovery, default_run, expected):
    return recovery.assess_all(default_run, expected)


@pytest.fixture(scope="module")
def family_confidence(recovery, expected):
    """The level at which each headline interval must cover its truth: a 95% interval misses
    one time in 20 by chance, so of a dozen headline checks one would often fail on a correct
    pipeline. Each is held to 1 - 0.05/m (Bonferroni over the m checks of a true value), so
    that all pass together at least 95% of the time; the 95% level itself is tested over every
    comparison together (``test_intervals_cover_the_truth_at_about_the_nominal_rate``)."""
    headlines = set(recovery.HEADLINES)
    checked = [e for e in expected if (e.disparity, *e.key) in headlines
               and e.basis in (recovery.EXACT, recovery.DERIVED)]
    return 1 - (1 - recovery.CONFIDENCE) / len(checked)


def test_every_injected_disparity_is_checked_or_explained(recovery, default_run, expected):
    """A disparity added to truth.json must be paired with metrics here or explained as
    unmeasured — and every pairing must give expectations for metrics that exist."""
    injected = {d["id"] for d in default_run.truth["disparities"]}
    measured = recovery.measured_disparities()
    assert not set(measured) & set(recovery.UNMEASURED)
    assert injected == set(measured) | set(recovery.UNMEASURED)
    catalogue = load_catalogue()
    for disparity, metrics in measured.items():
        found = {e.metric for e in expected if e.disparity == disparity}
        assert found == set(metrics), disparity
        assert set(metrics) <= set(catalogue)


def test_injected_disparity_is_recovered(recovery, default_run, expected, family_confidence,
                                         headline):
    """``headline`` is each of ``recovery.HEADLINES`` in turn (conftest.pytest_generate_tests)."""
    disparity, *key = headline
    (expectation,) = [e for e in expected if e.disparity == disparity and e.key == tuple(key)]
    result = recovery.assess(default_run, expectation)
    assert result.calculated, result.describe()
    if expectation.basis in (recovery.EXACT, recovery.DERIVED):
        lower, upper = result.interval_at(family_confidence)
        assert result.covers_at(family_confidence), (
            f"{result.describe()}; at {family_confidence:.2%}: {lower:.4g} to {upper:.4g}")
    if expectation.truth_ratio != 1:
        assert result.right_direction, result.describe()
        if expectation.basis != recovery.DIRECTION and result.power >= POWERED:
            assert result.significance.startswith(result.expected_significance), (
                f"{result.describe()}; power {result.power:.2f}")


def test_intervals_cover_the_truth_at_about_the_nominal_rate(recovery, assessed):
    """Over every exact and derived expectation with an interval (every group, both levels),
    the 95% intervals should cover the truth about 95% of the time. The intervals are not
    independent (each group is compared with the same reference group, and the 5 groups are
    made of the 16), those for small groups are approximate, and the restrictive-intervention
    interval treats interventions as independent though they cluster in incidents; so the
    bound is generous — 85% of at least 50 — but a biased statistic or a wrong truth would
    fail it."""
    checked = [a for a in assessed
               if a.expectation.basis in (recovery.EXACT, recovery.DERIVED) and a.calculated]
    covered = [a for a in checked if a.covers]
    missed = "\n".join(a.describe() for a in checked if not a.covers)
    assert len(checked) >= 50
    assert len(covered) / len(checked) >= 0.85, f"{len(covered)}/{len(checked)}:\n{missed}"


def test_direction_is_recovered_wherever_the_interval_is_narrow_enough(recovery, assessed):
    """Every expectation with a true value (not direction only) whose true ratio is at least
    10% from 1 and whose interval is narrow enough to detect it ``POWERED`` of the time: the
    estimate lies on the true side (a wrong side is then very unlikely by chance) and nearly
    all are significant."""
    powered = [a for a in assessed if a.expectation.basis != recovery.DIRECTION
               and abs(a.expectation.truth_ratio - 1) >= 0.1 and a.power >= POWERED]
    assert len(powered) >= 20
    wrong_side = [a.describe() for a in powered if not a.right_direction]
    assert not wrong_side, "\n".join(wrong_side)
    significant = [a for a in powered if a.significance.startswith(a.expected_significance)]
    assert len(significant) / len(powered) >= 0.8
