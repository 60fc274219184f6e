"""Properties that must hold for any valid input: limits bracket the estimate and the 99.8%
interval contains the 95% one; standardising a constant rate returns that rate."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pcref.stats import ESP2013_AGE_BANDS, NHSE_AGE_BANDS, dsr, isratio, proportion, rate

SETTINGS = settings(max_examples=60, deadline=None)
BOTH = (0.95, 0.998)

counts = st.integers(min_value=0, max_value=2_000_000)
populations = st.integers(min_value=1, max_value=10**9)


def _assert_bracketed_and_nested(result):
    value, lower, upper = (result[c].to_numpy() for c in ("value", "lower", "upper"))
    lower_998, upper_998 = result["lower_998"].to_numpy(), result["upper_998"].to_numpy()
    tol = 1e-9 * np.maximum(np.abs(value), 1e-300)
    assert (lower <= value + tol).all()
    assert (value <= upper + tol).all()
    assert (lower_998 <= lower + tol).all()
    assert (upper <= upper_998 + tol).all()
    assert (lower >= 0).all()


@SETTINGS
@given(st.lists(st.tuples(counts, populations), min_size=1, max_size=8))
def test_rate_limits_bracket_and_nest(rows):
    data = pd.DataFrame(rows, columns=["x", "n"])
    _assert_bracketed_and_nested(rate(data, "x", "n", confidence=BOTH))


@SETTINGS
@given(
    st.lists(
        st.tuples(populations, st.floats(min_value=0, max_value=1)), min_size=1, max_size=8
    )
)
def test_proportion_limits_bracket_and_nest(rows):
    data = pd.DataFrame(
        {"x": [round(n * share) for n, share in rows], "n": [n for n, _ in rows]}
    )
    result = proportion(data, "x", "n", confidence=BOTH)
    _assert_bracketed_and_nested(result)
    assert (result["upper_998"] <= 1).all()


def _strata_data(draw_counts, draw_pops):
    return pd.DataFrame(
        {"band": list(ESP2013_AGE_BANDS), "x": draw_counts, "n": draw_pops, "group": "g"}
    )


strata_counts = st.lists(st.integers(0, 5000), min_size=19, max_size=19)
strata_pops = st.lists(st.integers(1, 10**7), min_size=19, max_size=19)


@SETTINGS
@given(strata_counts, strata_pops)
def test_dobson_dsr_limits_bracket_and_nest(x, n):
    result = dsr(_strata_data(x, n), "x", "n", "group", "band", confidence=BOTH)
    if sum(x) < 10:
        assert result["value"].isna().all()
        assert (result["status"] == "dsr_total_lt_10").all()
    else:
        _assert_bracketed_and_nested(result)


@SETTINGS
@given(
    st.lists(st.integers(1, 10**6), min_size=12, max_size=12),
    st.lists(st.floats(0, 0.2), min_size=12, max_size=12),
)
def test_nhse_dsr_limits_bracket_nest_and_match_dobson_value(pops, shares):
    data = pd.DataFrame(
        {
            "sex": ["F"] * 6 + ["M"] * 6,
            "band": list(NHSE_AGE_BANDS) * 2,
            "n": pops,
            "x": [round(p * s) for p, s in zip(pops, shares, strict=True)],
        }
    )
    standard = data[["sex", "band"]].rename(columns={"band": "ageband"})
    standard["population"] = [3_000_000, 600_000, 5_000_000, 5_000_000, 5_000_000, 4_500_000] * 2
    nhse = dsr(data, "x", "n", None, "band", standard=standard, sex="sex", method="nhse",
               confidence=BOTH)  # fmt: skip
    value, lower, upper = (nhse[c].to_numpy() for c in ("value", "lower", "upper"))
    assert (lower <= value).all() and (value <= upper).all()
    assert (nhse["lower_998"] <= lower).all() and (upper <= nhse["upper_998"]).all()
    if data["x"].sum() >= 10:
        dobson = dsr(data, "x", "n", None, "band", standard=standard, sex="sex")
        np.testing.assert_allclose(dobson["value"], value, rtol=1e-12)


@SETTINGS
@given(st.floats(min_value=1e-4, max_value=0.5), strata_pops)
def test_constant_rate_standardises_to_itself(rate_per_person, n):
    # If every stratum has the same rate r, any standard gives DSR = r.
    x = [rate_per_person * p for p in n]
    result = dsr(_strata_data(x, n), "x", "n", "group", "band", multiplier=1)
    if sum(x) >= 10:
        np.testing.assert_allclose(result["value"], rate_per_person, rtol=1e-9)


@SETTINGS
@given(strata_counts, strata_pops, st.lists(st.integers(1, 10**6), min_size=19, max_size=19))
def test_isr_limits_bracket_and_nest(x, n, ref_n):
    data = _strata_data(x, n).assign(ref_x=[p // 7 for p in ref_n], ref_n=ref_n)
    result = isratio(data, "x", "n", "ref_x", "ref_n", by="group", confidence=BOTH)
    if result["expected"].iloc[0] > 0:
        _assert_bracketed_and_nested(result)
