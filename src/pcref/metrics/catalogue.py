"""The metric catalogue: one file per metric, holding its definition and its SQL.

Each metric is a file ``catalogue/<metric_id>.sql``. It starts with a block comment holding the
definition as YAML, followed by one SELECT in DuckDB's dialect (SQLGlot transpiles it to Spark
SQL). The SELECT returns *unit rows*: one row per thing counted (a detention, a referral, a
restrictive intervention, a person in contact …) with these columns:

``Person_ID``
    the (pseudonymised) person, so the engine can attach ethnicity, sex, age, locality and
    deprivation;
``event_date``
    the DATE that places the row in the reporting period, month and quarter, and at which the
    person's age is taken;
``numerator``
    what the row adds to the numerator (1 for a count or a "yes", 0 for a "no");
``denominator``
    what the row adds to the denominator, for metrics whose denominator comes from the rows
    themselves (proportions, occupied bed days); absent when the denominator is the population;
``observation``
    the number summarised, for ``median`` metrics (a wait in days, a duration);
``statistic``
    optional: a label when one metric yields several statistics (data quality: coverage,
    validity, accuracy);
``team_id`` / ``ward_code``
    optional: the team or ward the row belongs to, for the team and ward breakdowns.

The SQL reads the warehouse tables by their data-contract names and the preparation relations
in ``prep/`` it lists under ``requires``; ``$period_start`` and ``$period_end`` (DATEs, both
inclusive) are bound by the engine. Adding a metric means adding one file and one test; nothing
else changes. The format is described for authors in ``docs/metric-catalogue.md``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

#: Ways a metric's value is computed from its aggregated counts (see pcref.stats).
METHODS = {
    "rate": "crude rate per population with exact (< 10) or Byar's limits; numerator / population",
    "rate_per_denominator": "rate per the rows' own denominator (e.g. per 1,000 occupied bed days) "
    "with exact or Byar's limits",
    "proportion": "proportion of the rows' denominator with Wilson score limits",
    "median": "median of the rows' observations with order-statistic (binomial) limits",
    "ratio_to_expected": "observed / expected cases (expected = prevalence × population), "
    "exact or Byar's limits on the observed count",
    "share": "share of a margin with Wilson score limits: a group's count over the Total, or a "
    "cross cell's count over its first breakdown's group (a team's caseload)",
}
#: Where a metric's denominator comes from.
DENOMINATORS = {
    "population": "usual residents from the population table, matched by the breakdown",
    "rows": "the sum of the unit rows' denominator column",
    "none": "no denominator (medians)",
    "expected": "expected cases: dementia prevalence by age band and sex × population",
    "margin": "the count of the row's margin: the Total for a one-way breakdown, the first "
    "breakdown's group for a cross (shares)",
}
#: Breakdowns the engine knows; a metric lists the ones that make sense for it.
BREAKDOWNS = (
    "total",
    "ethnicity_5",
    "ethnicity_16",
    "age_band",
    "sex",
    "imd_quintile",
    "locality",
    "team",
    "ward",
    "preferred_language",
    "interpreter_need",
    "religion",
    "disability",
    "month",
    "quarter",
)
#: Breakdowns for which population denominators exist.
POPULATION_BREAKDOWNS = frozenset(
    {"total", "ethnicity_5", "ethnicity_16", "age_band", "sex", "locality", "month", "quarter"}
)
TOTAL_BREAKDOWN = "total"
TEAM_BREAKDOWN = "team"
ETHNICITY_BREAKDOWNS = ("ethnicity_5", "ethnicity_16")
#: Breakdowns that nest in one dimension and so cannot be crossed with each other.
_DIMENSION = {"ethnicity_5": "ethnicity", "ethnicity_16": "ethnicity", "month": "time",
              "quarter": "time"}
IMPROVEMENT_DIRECTIONS = ("increase", "decrease", "neutral")
#: Values of ``standardise``: true (the trust's own population) or a named standard.
TRUST_STANDARD, ESP2013_STANDARD = "trust", "esp2013"
SUPPRESSION_RULES = {
    "counts": "counts suppressed and rounded; derived values suppressed with their numerator",
    "bed_days": "as counts, and rates suppressed when occupied bed days are below 100",
}
REQUIRED_KEYS = (
    "id",
    "title",
    "description",
    "family",
    "unit",
    "method",
    "denominator",
    "breakdowns",
    "improvement_direction",
    "suppression",
)
_HEADER = re.compile(r"\A\s*/\*(?P<yaml>.*?)\*/(?P<sql>.*)\Z", re.DOTALL)
_PREP_RELATIONS = frozenset(
    f.name.removesuffix(".sql")
    for f in resources.files("pcref.metrics.prep").iterdir()
    if f.name.endswith(".sql")
)


@dataclass(frozen=True)
class Metric:
    """One metric's definition and SQL."""

    id: str
    title: str
    description: str
    family: str
    unit: str
    method: str
    denominator: str
    breakdowns: tuple[str, ...]
    cross_breakdowns: tuple[tuple[str, str], ...]
    reference_group: dict[str, str]
    improvement_direction: str
    suppression: str
    sql: str
    multiplier: float = 1.0
    standardise: bool = False
    #: The standard population of ``standardise``: "trust" (the warehouse population's own
    #: total by sex and NHS England's six age bands, as NHS England's Mental Health Act
    #: statistics) or "esp2013" (the European Standard Population 2013's five-year bands at or
    #: above population_min_age, for each sex).
    standard_population: str = TRUST_STANDARD
    population_min_age: int | None = None
    requires: tuple[str, ...] = ()
    sentence: str | None = None
    statistics: tuple[str, ...] = ()
    source: str | None = None
    #: SHA-256 of the whole catalogue file, recorded with every results run.
    file_sha256: str | None = None


def _fail(path: str, message: str) -> ValueError:
    return ValueError(f"metric file {path}: {message}")


def parse_metric(text: str, path: str) -> Metric:
    """Parse one catalogue file; errors name the file and what was expected."""
    match = _HEADER.match(text)
    if not match:
        raise _fail(path, "expected a leading /* … */ block holding the definition as YAML")
    try:
        spec = yaml.safe_load(match["yaml"])
    except yaml.YAMLError as error:
        raise _fail(path, f"the definition is not valid YAML: {error}") from None
    if not isinstance(spec, dict):
        raise _fail(path, "the definition block must be a YAML mapping")
    missing = [key for key in REQUIRED_KEYS if key not in spec]
    if missing:
        raise _fail(path, f"missing definition keys: {', '.join(missing)}")
    checks = {
        "method": METHODS,
        "denominator": DENOMINATORS,
        "improvement_direction": IMPROVEMENT_DIRECTIONS,
        "suppression": SUPPRESSION_RULES,
    }
    for key, allowed in checks.items():
        if spec[key] not in allowed:
            raise _fail(path, f"{key} {spec[key]!r} is not one of {', '.join(allowed)}")
    breakdowns = tuple(spec["breakdowns"])
    crosses = tuple(
        tuple(part.strip() for part in str(pair).split(" x "))
        for pair in spec.get("cross_breakdowns", [])
    )
    if any(len(pair) != 2 for pair in crosses):
        raise _fail(path, "cross_breakdowns are written 'ethnicity_5 x sex'")
    for name in breakdowns + tuple(b for pair in crosses for b in pair):
        if name not in BREAKDOWNS:
            known = ", ".join(BREAKDOWNS)
            raise _fail(path, f"unknown breakdown {name!r}; expected one of {known}")
    crosses = tuple(_cross(pair, path) for pair in crosses)
    if len(set(crosses)) != len(crosses):
        raise _fail(path, "a cross breakdown is listed twice")
    if spec["method"] == "share":
        # A cross cell's share is of its first breakdown's group, which must be reported.
        unlisted = sorted({first for first, _ in crosses} - set(breakdowns))
        if unlisted:
            raise _fail(path, f"method share: list {', '.join(unlisted)} under breakdowns, "
                        "the margin of its cross breakdowns")
    if spec["denominator"] in ("population", "expected"):
        crossed = {b for pair in crosses for b in pair}
        outside = (set(breakdowns) | crossed) - POPULATION_BREAKDOWNS
        if outside:
            raise _fail(path, f"no population denominators for {', '.join(sorted(outside))}")
    reference_group = dict(spec.get("reference_group") or {})
    for name, label in reference_group.items():
        if name not in ETHNICITY_BREAKDOWNS:
            raise _fail(
                path, f"reference_group is given per ethnicity breakdown "
                f"({', '.join(ETHNICITY_BREAKDOWNS)}), not {name!r}"
            )
        groups = _ethnic_groups(name)
        if label not in groups:
            raise _fail(
                path, f"reference_group {label!r} is not a {name} group; expected one of "
                f"{', '.join(groups)}"
            )
    standardise = spec.get("standardise", False)
    if standardise not in (True, False, ESP2013_STANDARD):
        raise _fail(path, f"standardise {standardise!r}: expected true (the trust's own "
                    f"population, NHS England's six age bands) or {ESP2013_STANDARD}")
    min_age = spec.get("population_min_age")
    if standardise == ESP2013_STANDARD and min_age is not None and min_age % 5:
        raise _fail(path, f"standardise: {ESP2013_STANDARD} needs population_min_age at the "
                    f"start of a five-year band (0, 5, … 90), not {min_age}")
    requires = tuple(spec.get("requires", []))
    for relation in requires:
        if relation not in _PREP_RELATIONS:
            raise _fail(path, f"requires unknown preparation relation {relation!r}")
    sql = match["sql"].strip().rstrip(";")
    if not sql.lower().lstrip("( \n").startswith(("select", "with")):
        raise _fail(path, "expected one SELECT (or WITH … SELECT) after the definition block")
    metric_id = path.rsplit("/", 1)[-1].removesuffix(".sql")
    if spec["id"] != metric_id:
        raise _fail(path, f"id {spec['id']!r} does not match the file name {metric_id!r}")
    return Metric(
        id=spec["id"],
        title=spec["title"],
        description=" ".join(str(spec["description"]).split()),
        family=spec["family"],
        unit=spec["unit"],
        method=spec["method"],
        denominator=spec["denominator"],
        breakdowns=breakdowns,
        cross_breakdowns=crosses,
        reference_group=reference_group,
        improvement_direction=spec["improvement_direction"],
        suppression=spec["suppression"],
        sql=sql,
        multiplier=float(spec.get("multiplier", 1)),
        standardise=bool(standardise),
        standard_population=(ESP2013_STANDARD if standardise == ESP2013_STANDARD
                             else TRUST_STANDARD),
        population_min_age=min_age,
        requires=requires,
        sentence=spec.get("sentence"),
        statistics=tuple(spec.get("statistics", [])),
        source=spec.get("source"),
        file_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _cross(pair: tuple[str, ...], path: str) -> tuple[str, str]:
    """A cross breakdown checked and written with the team first if it has one (team
    profiles are read team by team), else with its ethnicity breakdown first."""
    first, second = pair
    if TOTAL_BREAKDOWN in pair:
        raise _fail(path, f"cross breakdown {' x '.join(pair)!r}: total cannot be crossed")
    if first == second or _DIMENSION.get(first, first) == _DIMENSION.get(second, second):
        raise _fail(
            path, f"cross breakdown {' x '.join(pair)!r}: expected two different dimensions"
        )
    if second == TEAM_BREAKDOWN or (second in ETHNICITY_BREAKDOWNS and first != TEAM_BREAKDOWN):
        first, second = second, first
    return first, second


def _ethnic_groups(breakdown: str) -> tuple[str, ...]:
    from pcref.metrics import attributes

    if breakdown == "ethnicity_5":
        return attributes.ethnicity_5_labels()
    return attributes.ethnicity_16_labels()


@cache
def load_catalogue() -> dict[str, Metric]:
    """Every metric shipped in ``catalogue/``, by id, in id order."""
    folder = resources.files(__package__).joinpath("catalogue")
    metrics = {}
    for entry in sorted(folder.iterdir(), key=lambda f: f.name):
        if entry.name.endswith(".sql"):
            metric = parse_metric(entry.read_text(encoding="utf-8"), f"catalogue/{entry.name}")
            metrics[metric.id] = metric
    return metrics
