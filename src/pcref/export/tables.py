"""The export's star schema as data: every table, every column, its type, meaning and values.

One definition drives everything the export writes: the Arrow schemas of the Parquet files, the
CSV headers, the data dictionary (CSV and Markdown), the Power Query (M) script's column types
and the relationships listed in the README. Column names are unique across tables except the
keys that join the fact table to its dimensions (tested), so Power BI's "autodetect
relationships", which matches columns by name, has only the star's keys to match.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from pcref.disclosure import STATUSES
from pcref.metrics.breakdowns import BREAKDOWNS
from pcref.metrics.catalogue import DENOMINATORS, IMPROVEMENT_DIRECTIONS, METHODS, SUPPRESSION_RULES

#: Logical type -> (Arrow type, Power Query type, Power BI data type shown in its UI).
KINDS: dict[str, tuple[pa.DataType, str, str]] = {
    "integer": (pa.int64(), "Int64.Type", "Whole number"),
    "decimal": (pa.float64(), "type number", "Decimal number"),
    "text": (pa.string(), "type text", "Text"),
    "boolean": (pa.bool_(), "type logical", "True/false"),
    "date": (pa.date32(), "type date", "Date"),
    "datetime": (pa.timestamp("ms", tz="UTC"), "type datetimezone", "Date/time/timezone"),
}
#: How the allowed values of a column are given when they are not a fixed list: ``values``
#: lists the distinct values in this export, ``parts`` the distinct '; '-separated parts.
OBSERVED_VALUES, OBSERVED_PARTS = "values", "parts"
PERIOD_TYPES = ("year", "quarter", "month")
BREAKDOWN_KINDS = ("total", "one-way", "cross")
RUN_STATUSES = ("computed", "skipped", "failed")
EXPORT_POLICIES = ("public", "internal")


@dataclass(frozen=True)
class Column:
    """One column of an exported table."""

    name: str
    kind: str
    description: str
    nullable: bool = True
    #: A fixed list of the values the column may hold, if it has one.
    allowed: tuple[str, ...] = ()
    #: Or: list the values found in the export (OBSERVED_VALUES / OBSERVED_PARTS).
    observed: str = ""
    #: The table.column this column refers to (a foreign key), if any.
    references: str = ""
    primary_key: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        return KINDS[self.kind][0]


@dataclass(frozen=True)
class Table:
    """One exported table: its name, role (fact or dimension), grain and columns."""

    name: str
    role: str
    description: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable)
                          for c in self.columns])

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def key(self) -> Column:
        return next(c for c in self.columns if c.primary_key)


def _key(name: str, what: str) -> Column:
    return Column(name, "integer", f"Surrogate key of {what}: 1, 2, … in the dimension's sort "
                  "order; deterministic for a given run, but not stable between runs.",
                  nullable=False, primary_key=True)


def _ref(name: str, table: str, meaning: str, kind: str = "integer") -> Column:
    return Column(name, kind, meaning, nullable=False, references=f"{table}.{name}")


_METHOD_NOTES = (
    "no_population_denominator", "zero_denominator", "no_observations",
    "too_few_observations_for_an_interval", "not_standardised_no_population_in_a_stratum",
    "not_standardised_more_events_than_population_in_a_stratum",
    "comparison_reference_group_has_no_figures", "comparison_<status of pcref.stats>",
)

FACT = Table(
    "fact_result", "fact",
    "One row per row of the run's results file: a metric's figures for one period, breakdown, "
    "group (and subgroup) and statistic, as published under the export's disclosure policy.",
    (
        _ref("metric_key", "dim_metric", "The metric (dim_metric)."),
        _ref("period_key", "dim_period", "The time the figure covers (dim_period): the month or "
             "quarter for rows of a month or quarter breakdown (or a cross with one), else the "
             "financial year."),
        _ref("breakdown_key", "dim_breakdown", "How the figures are split (dim_breakdown)."),
        _ref("group_key", "dim_group", "The group (and subgroup) of the breakdown (dim_group)."),
        _ref("run_id", "dim_run", "The results run that made the figure (dim_run).", "text"),
        Column("statistic", "text", "What value is: crude rate, standardised rate, proportion, "
               "median, observed/expected, or the metric's own label (e.g. coverage, autism).",
               nullable=False, observed=OBSERVED_VALUES),
        Column("numerator", "integer", "Events, people or observations counted, as published "
               "under the disclosure policy (rounded, or empty when withheld). For a median the "
               "number of observations; for a standardised rate the events standardised "
               "(internal exports only)."),
        Column("denominator", "decimal", "Population, the rows' own denominator (referrals, "
               "occupied bed days, …) or expected cases; empty when the group has none. For "
               "proportions of rows it is a count, disclosure-controlled like the numerator."),
        Column("value", "decimal", "The statistic on the metric's scale (× dim_metric.multiplier"
               ", in dim_metric.unit); empty when withheld or not defined."),
        Column("lower", "decimal", "Lower 95% confidence limit of value."),
        Column("upper", "decimal", "Upper 95% confidence limit of value."),
        Column("comparator", "text", "The reference group the row is compared with (ethnicity "
               "breakdowns only), e.g. White British."),
        Column("ratio", "decimal", "value ÷ the reference group's value (rate ratio, DSR ratio, "
               "ratio of proportions or of medians)."),
        Column("ratio_lower", "decimal", "Lower 95% limit of the ratio (none for medians)."),
        Column("ratio_upper", "decimal", "Upper 95% limit of the ratio (none for medians)."),
        Column("ratio_method", "text", "How the ratio's interval was found.",
               observed=OBSERVED_VALUES),
        Column("difference", "decimal", "value − the reference group's value, on the metric's "
               "scale."),
        Column("difference_lower", "decimal", "Lower 95% limit of the difference."),
        Column("difference_upper", "decimal", "Upper 95% limit of the difference."),
        Column("significance", "text", "Plain words from the ratio's interval: 'higher than X', "
               "'lower than X', 'no clear difference from X' (X the reference group), "
               "'reference group' or 'not calculated'; empty outside ethnicity breakdowns.",
               observed=OBSERVED_VALUES),
        Column("suppressed", "boolean", "Whether anything on the row is withheld by disclosure "
               "control.", nullable=False, allowed=("true", "false")),
        Column("status", "text", "The disclosure status (" + ", ".join(STATUSES)
               + "), then any method notes "
               "separated by '; ' (" + ", ".join(_METHOD_NOTES) + ").",
               nullable=False, observed=OBSERVED_PARTS),
        Column("display_value", "text", "value as it should be displayed: one decimal place, "
               "'*' when withheld, empty when there is no value."),
        Column("interval_method", "text", "How value's confidence interval was found (the "
               "results' method column).", observed=OBSERVED_VALUES),
    ),
)

DIM_METRIC = Table(
    "dim_metric", "dimension",
    "One row per metric of the run, with its catalogue definition and the SQL that computed it "
    "(checked against the hashes the run recorded).",
    (
        _key("metric_key", "the metric"),
        Column("metric_id", "text", "The metric's id (its catalogue file name).", nullable=False),
        Column("metric_title", "text", "The metric's title.", nullable=False),
        Column("metric_description", "text", "What the metric counts, in plain English.",
               nullable=False),
        Column("family", "text", "The family the metric belongs to (Mental Health Act, "
               "restrictive practice, dementia, …).", nullable=False, observed=OBSERVED_VALUES),
        Column("unit", "text", "The unit of value, e.g. 'per 100,000 population', '%', 'days'.",
               nullable=False, observed=OBSERVED_VALUES),
        Column("method", "text", "How value is computed: " + "; ".join(
               f"{k}: {v}" for k, v in METHODS.items()) + ".", nullable=False,
               allowed=tuple(METHODS)),
        Column("denominator_source", "text", "Where the denominator comes from: " + "; ".join(
               f"{k}: {v}" for k, v in DENOMINATORS.items()) + ".", nullable=False,
               allowed=tuple(DENOMINATORS)),
        Column("multiplier", "decimal", "What the ratio of numerator to denominator is "
               "multiplied by (100 for %, 100000 for per 100,000).", nullable=False),
        Column("standardised", "boolean", "Whether directly standardised rates (NHS England's "
               "method) are given for the ethnicity breakdowns.", nullable=False,
               allowed=("true", "false")),
        Column("population_min_age", "integer", "For population denominators: only residents of "
               "this age or older are counted (e.g. 65)."),
        Column("improvement_direction", "text", "Whether a higher value is better (increase), "
               "worse (decrease) or neither (neutral).", nullable=False,
               allowed=IMPROVEMENT_DIRECTIONS),
        Column("reference_group_ethnicity_5", "text", "The group every five-group ethnicity row "
               "is compared with."),
        Column("reference_group_ethnicity_16", "text", "The group every 16-group ethnicity row "
               "is compared with."),
        Column("breakdowns", "text", "The breakdowns the metric is reported by, separated by "
               "', '.", nullable=False),
        Column("cross_breakdowns", "text", "The crosses the metric is reported by, e.g. "
               "'ethnicity_5 x sex', separated by ', '."),
        Column("suppression_rule", "text", "The metric's disclosure rule: " + "; ".join(
               f"{k}: {v}" for k, v in SUPPRESSION_RULES.items()) + ".", nullable=False,
               allowed=tuple(SUPPRESSION_RULES)),
        Column("metric_source", "text", "The published source the definition follows."),
        Column("metric_sql", "text", "The metric's SQL (DuckDB dialect): one SELECT returning a "
               "row per thing counted; $period_start and $period_end are the period's first and "
               "last days.", nullable=False),
        Column("preparation_relations", "text", "The preparation relations the SQL reads, in "
               "the order they are built, separated by ', '."),
        Column("preparation_sql", "text", "The SQL of each preparation relation, in build "
               "order, each headed by a comment naming it."),
        Column("definition_sha256", "text", "SHA-256 of the metric's catalogue file, as recorded "
               "in the run.", nullable=False),
        Column("run_status", "text", "Whether the run computed the metric; skipped and failed "
               "metrics have no fact rows.", nullable=False, allowed=RUN_STATUSES),
        Column("run_status_reason", "text", "Why the metric was skipped or failed (a failure's "
               "details are in internal exports and run.json only)."),
        Column("metric_sort_order", "integer", "Catalogue order; sort metric_title by it.",
               nullable=False),
    ),
)

DIM_PERIOD = Table(
    "dim_period", "dimension",
    "One row per financial year of the run and per quarter and month within it.",
    (
        _key("period_key", "the period"),
        Column("period", "text", "The period as the results write it: 2024-25 (a financial "
               "year), 2024-25 Q1 (a quarter), 2024-04 (a month).", nullable=False),
        Column("period_type", "text", "What kind of period it is.", nullable=False,
               allowed=PERIOD_TYPES),
        Column("period_label", "text", "A unique label for display: 2024-25, 2024-25 Q1, April "
               "2024; sort it by period_sort_order.", nullable=False),
        Column("financial_year", "text", "The NHS financial year (1 April to 31 March) the "
               "period lies in.", nullable=False),
        Column("start_date", "date", "The period's first day.", nullable=False),
        Column("end_date", "date", "The period's last day (inclusive).", nullable=False),
        Column("period_sort_order", "integer", "Time order by first day; a year comes before "
               "its first quarter and a quarter before its first month.", nullable=False),
    ),
)

DIM_BREAKDOWN = Table(
    "dim_breakdown", "dimension",
    "One row per breakdown in the results: the total, each one-way breakdown and each cross.",
    (
        _key("breakdown_key", "the breakdown"),
        Column("breakdown", "text", "The breakdown as the results write it: total, a one-way "
               "breakdown, or a cross 'ethnicity_5 x sex'.", nullable=False),
        Column("breakdown_label", "text", "The breakdown in words, e.g. 'Ethnic group (5 groups) "
               "by sex'.", nullable=False),
        Column("breakdown_kind", "text", "Total, a one-way breakdown or a cross of two.",
               nullable=False, allowed=BREAKDOWN_KINDS),
        Column("first_breakdown", "text", "The breakdown whose levels are in dim_group.group.",
               nullable=False, allowed=tuple(BREAKDOWNS)),
        Column("second_breakdown", "text", "For a cross, the breakdown whose levels are in "
               "dim_group.subgroup.", allowed=tuple(BREAKDOWNS)),
        Column("first_dimension", "text", "What first_breakdown splits by (the 5 and 16 ethnic "
               "groups are both ethnicity; months and quarters are both time).", nullable=False,
               allowed=tuple(dict.fromkeys(b.dimension for b in BREAKDOWNS.values()))),
        Column("second_dimension", "text", "What second_breakdown splits by.",
               allowed=tuple(dict.fromkeys(b.dimension for b in BREAKDOWNS.values()))),
        Column("breakdown_sort_order", "integer", "Report order: total, the one-way breakdowns, "
               "then the crosses; sort breakdown_label by it.", nullable=False),
    ),
)

DIM_GROUP = Table(
    "dim_group", "dimension",
    "One row per group (and subgroup, for a cross) of each breakdown in the results.",
    (
        _key("group_key", "the group"),
        Column("group_breakdown", "text", "The breakdown the group belongs to (the same text as "
               "dim_breakdown.breakdown; filter through dim_breakdown).", nullable=False),
        Column("group", "text", "The group: Total, an ethnic group, an age band, a month, …; "
               "for a cross, the level of its first breakdown.", nullable=False),
        Column("subgroup", "text", "For a cross, the level of its second breakdown (e.g. Female);"
               " empty for one-way breakdowns."),
        Column("group_label", "text", "A unique label: the breakdown, the group and any "
               "subgroup; sort it by group_sort_order.", nullable=False),
        Column("unknown_group", "boolean", "Whether the group or subgroup is Not stated or Not "
               "known (reported apart, never compared with the reference group).",
               nullable=False, allowed=("true", "false")),
        Column("group_order", "integer", "The order of group's text in every breakdown (ethnic "
               "groups in NHS Data Dictionary order, bands by age, months in time, names "
               "alphabetically, Not stated and Not known last); the same text always has the "
               "same number, so Power BI can sort group by it.", nullable=False),
        Column("subgroup_order", "integer", "The same order for subgroup's text."),
        Column("group_sort_order", "integer", "Report order of the rows: by breakdown, then "
               "group, then subgroup; sort group_label by it.", nullable=False),
    ),
)

DIM_RUN = Table(
    "dim_run", "dimension",
    "The results run the export was made from: one row.",
    (
        Column("run_id", "text", "The run's id: a digest of its input, code, definitions and "
               "parameters (the same command on the same data gives the same id).",
               nullable=False, primary_key=True),
        Column("run_created_at", "datetime", "When the run was computed (UTC).", nullable=False),
        Column("input_source", "text", "Where the input fingerprint comes from (ingest_run, or "
               "the warehouse's contents).", nullable=False),
        Column("input_fingerprint", "text", "SHA-256 of the extract files and the "
               "pseudonymisation key's id.", nullable=False),
        Column("ingest_run_id", "text", "The ingest that loaded the warehouse."),
        Column("contract_version", "text", "The data contract the extract was checked against."),
        Column("code_version", "text", "The pcref version (and git commit) that computed the run.",
               nullable=False),
        Column("engine", "text", "The SQL engine that computed the run.", nullable=False),
        Column("financial_years", "text", "The run's financial years, separated by ', '.",
               nullable=False),
        Column("confidence_level", "decimal", "The confidence level of every interval.",
               nullable=False),
        Column("disclosure_policy", "text", "The disclosure-control policy of the exported "
               "figures: public (strict, for publication) or nhse (NHS England's rule, internal).",
               nullable=False, allowed=("public", "nhse")),
        Column("disclosure_statement", "text", "The policy in one sentence, for footnotes.",
               nullable=False),
        Column("export_policy", "text", "public: the disclosure-controlled figures that may be "
               "published; internal: for authorised staff only, not for publication.",
               nullable=False, allowed=EXPORT_POLICIES),
        Column("run_warnings", "text", "Warnings the run recorded, separated by ' | '."),
    ),
)

#: The tables in the order they are written and documented.
TABLES: dict[str, Table] = {t.name: t for t in (FACT, DIM_METRIC, DIM_PERIOD, DIM_BREAKDOWN,
                                                DIM_GROUP, DIM_RUN)}
#: Power BI "Sort by column" settings: (table, column shown, column to sort it by).
SORT_BY: tuple[tuple[str, str, str], ...] = (
    ("dim_metric", "metric_title", "metric_sort_order"),
    ("dim_period", "period_label", "period_sort_order"),
    ("dim_breakdown", "breakdown_label", "breakdown_sort_order"),
    ("dim_group", "group", "group_order"),
    ("dim_group", "subgroup", "subgroup_order"),
    ("dim_group", "group_label", "group_sort_order"),
)


def relationships() -> list[tuple[str, str, str, str]]:
    """(fact table, fact column, dimension, dimension column): many-to-one, single direction."""
    return [
        (FACT.name, c.name, *c.references.split("."))
        for c in FACT.columns if c.references
    ]
