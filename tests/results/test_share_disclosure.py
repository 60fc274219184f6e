"""Disclosure of shares (``method: share``): a share's denominator is its margin's count,
published as the margin's own row publishes it, and the share is withheld with the margin."""

import numpy as np
import pandas as pd

from pcref.disclosure import NHSE
from pcref.results.disclosure import SUPPRESSED_MARGIN, _publish_margins


def published(rows):
    """Rows as disclose_metric's crude step leaves them (counts already disclosed)."""
    base = {"metric_id": "team_caseload", "period": "2024-25", "statistic": "share of caseload",
            "lower": np.nan, "upper": np.nan, "ratio": np.nan, "ratio_lower": np.nan,
            "ratio_upper": np.nan, "difference": np.nan, "difference_lower": np.nan,
            "difference_upper": np.nan, "significance": None}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["numerator"] = frame["numerator"].astype("Int64")
    return frame


def test_a_share_is_withheld_with_its_margin_and_shows_the_margin_as_published():
    rows = published([
        {"breakdown": "total", "group": "Total", "subgroup": None, "numerator": 120,
         "denominator": 118.0, "value": 100.0, "suppressed": False, "status": "rounded",
         "display_value": "100.0"},
        # Team A's caseload (18) withheld, yet a cell of it shown: its share (10 of 18)
        # would give the 18 back, so it goes; its denominator is withheld too.
        {"breakdown": "team", "group": "A", "subgroup": None, "numerator": None,
         "denominator": 118.0, "value": 15.3, "suppressed": True,
         "status": "suppressed_secondary", "display_value": "*"},
        {"breakdown": "team x religion", "group": "A", "subgroup": "Muslim", "numerator": 10,
         "denominator": 18.0, "value": 55.6, "suppressed": False, "status": "rounded",
         "display_value": "55.6"},
        {"breakdown": "team", "group": "B", "subgroup": None, "numerator": 100,
         "denominator": 118.0, "value": 84.7, "suppressed": False, "status": "rounded",
         "display_value": "84.7"},
        {"breakdown": "team x religion", "group": "B", "subgroup": "Muslim", "numerator": 40,
         "denominator": 99.0, "value": 40.4, "suppressed": False, "status": "rounded",
         "display_value": "40.4"},
    ])
    out = _publish_margins(rows, NHSE).set_index(["breakdown", "group"])
    cell = out.loc[("team x religion", "A")]
    assert np.isnan(cell["value"]) and np.isnan(cell["denominator"])
    assert cell["status"] == SUPPRESSED_MARGIN and cell["suppressed"]
    assert cell["display_value"] == "*" and cell["numerator"] == 10
    # B's cell: denominator is B's published caseload (100), not the exact 99.
    other = out.loc[("team x religion", "B")]
    assert other["denominator"] == 100 and other["value"] == 40.4
    assert other["status"] == "rounded" and not other["suppressed"]
    # One-way rows are shares of the Total as published (120, not the exact 118).
    assert out.loc[("team", "B"), "denominator"] == 120
    assert out.loc[("team", "A"), "status"] == "suppressed_secondary"


def test_the_export_refuses_a_share_whose_denominator_is_not_a_published_count():
    import pytest

    from pcref.disclosure import PUBLIC
    from pcref.export.star import ExportError, _check_counts
    from pcref.metrics.catalogue import load_catalogue

    metrics = {"team_caseload": load_catalogue()["team_caseload"]}
    good = {"numerator": [10], "denominator": [55.0], "metric_id": ["team_caseload"]}
    _check_counts(good, metrics, PUBLIC, "public/results.parquet")
    exact = {"numerator": [10], "denominator": [53.0], "metric_id": ["team_caseload"]}
    with pytest.raises(ExportError, match="denominator 53 \\(team_caseload\\)"):
        _check_counts(exact, metrics, PUBLIC, "public/results.parquet")
