"""The results table: its columns, their types and meanings (the contract with every reader).

One row per (metric, period, breakdown, group, subgroup, statistic). The same schema is used
for the internal file (``results.parquet``, NHS England's disclosure rule) and the public one
(``public/results.parquet``, the strict public rule); ``disclosure_policy`` says which.
``docs/engine.md`` renders the same descriptions.
"""

from __future__ import annotations

import pyarrow as pa

#: Column -> (Arrow type, meaning). Order is the file's column order.
COLUMNS: dict[str, tuple[pa.DataType, str]] = {
    "metric_id": (pa.string(), "The metric's id (its catalogue file name)."),
    "period": (pa.string(), "The financial year, e.g. 2024-25."),
    "breakdown": (pa.string(), "total, a one-way breakdown (ethnicity_5, sex, month, …) or a "
                  "cross written 'ethnicity_5 x sex'."),
    "group": (pa.string(), "The group: 'Total', an ethnic group, a sex, a month, …; for a "
              "cross, the level of its first breakdown."),
    "subgroup": (pa.string(), "For a cross, the level of its second breakdown (e.g. 'Female' "
                 "in 'ethnicity_5 x sex'); null for one-way breakdowns."),
    "statistic": (pa.string(), "What value is: 'crude rate', 'standardised rate', "
                  "'proportion', 'median', 'observed/expected', or the metric's own label "
                  "(e.g. 'coverage')."),
    "numerator": (pa.int64(), "Events, people or observations counted (as published under the "
                  "row's disclosure policy: rounded, or null when withheld). For a median, the "
                  "number of observations; for a standardised rate, the events in the strata "
                  "(internal file only)."),
    "denominator": (pa.float64(), "Population, the rows' own denominator (e.g. referrals, "
                    "occupied bed days) or expected cases; null when the group has none."),
    "value": (pa.float64(), "The statistic, on the metric's scale (× multiplier)."),
    "lower": (pa.float64(), "Lower 95% confidence limit of value."),
    "upper": (pa.float64(), "Upper 95% confidence limit of value."),
    "unit": (pa.string(), "The metric's unit, e.g. 'per 100,000 population', '%', 'days'."),
    "comparator": (pa.string(), "The reference group compared with (ethnicity breakdowns "
                   "only), e.g. 'White British'."),
    "ratio": (pa.float64(), "value ÷ the reference group's value (rate ratio, DSR ratio, ratio "
              "of proportions or of medians)."),
    "ratio_lower": (pa.float64(), "Lower 95% limit of the ratio (none for medians)."),
    "ratio_upper": (pa.float64(), "Upper 95% limit of the ratio (none for medians)."),
    "ratio_method": (pa.string(), "How the ratio's interval was found."),
    "difference": (pa.float64(), "value − the reference group's value, on the metric's scale."),
    "difference_lower": (pa.float64(), "Lower 95% limit of the difference."),
    "difference_upper": (pa.float64(), "Upper 95% limit of the difference."),
    "significance": (pa.string(), "Plain words: 'higher than White', 'lower than White', 'no "
                     "clear difference from White', 'reference group' or 'not calculated'."),
    "suppressed": (pa.bool_(), "Whether anything on the row is withheld by disclosure control."),
    "status": (pa.string(), "Disclosure status (shown, rounded, suppressed_…), then any "
               "method notes separated by '; ' (e.g. no_population_denominator)."),
    "display_value": (pa.string(), "value as displayed: one decimal place, '*' when withheld, "
                      "empty when there is no value."),
    "method": (pa.string(), "How value and its interval were computed (Byars, Exact, Wilson, "
               "NHS England's DSR method, order statistics)."),
    "disclosure_policy": (pa.string(), "The disclosure-control policy applied: 'nhse' "
                          "(internal file) or 'public'."),
    "run_id": (pa.string(), "The results run the row belongs to (see run.json)."),
}

SCHEMA = pa.schema([pa.field(name, kind) for name, (kind, _) in COLUMNS.items()])
RESULTS_COLUMNS = tuple(COLUMNS)
