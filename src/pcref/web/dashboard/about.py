"""What the *About the data* page says about a results run, as plain data.

Everything comes from the run's own record (``run.json``, kept whole on
:class:`~pcref.web.dashboard.models.ResultsRun`) and from the data contract and code lists
shipped with the code, never retyped, so the page cannot drift from what made the figures.

A failed or skipped metric's reason can quote counts (for example "3 unit rows …"), which
disclosure control has not seen; as in public exports, the reason is shown only to people
who may see internal figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: run.json's status of a metric that has figures.
COMPUTED = "computed"
STATUS_WORDS = {"computed": "Computed", "failed": "Failed", "skipped": "Not computed"}
REASON_WITHHELD = ("The reason is shown only to staff who may see internal figures, as it can "
                   "quote small counts.")


@dataclass(frozen=True)
class MetricStatus:
    """One metric's line in the run: whether it has figures, why not, and how long it took."""

    metric_id: str
    title: str
    status: str
    reason: str
    rows: int
    seconds: float | None

    @property
    def computed(self) -> bool:
        return self.status == COMPUTED

    @property
    def status_text(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


def metric_statuses(record: dict[str, Any], *, internal: bool) -> list[MetricStatus]:
    """Each metric of the run in run order; reasons withheld unless ``internal``."""
    out = []
    for metric_id, entry in record.get("metrics", {}).items():
        reason = entry.get("reason", "")
        out.append(MetricStatus(
            metric_id=metric_id,
            title=entry.get("title", metric_id),
            status=entry.get("status", ""),
            reason=reason if internal or not reason else REASON_WITHHELD,
            rows=int(entry.get("rows", 0)),
            seconds=entry.get("seconds"),
        ))
    return out


def run_facts(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The run's identity and parameters as (label, value) pairs, in reading order."""
    source = record.get("input", {})
    parameters = record.get("parameters", {})
    periods = ", ".join(f"{p['label']} ({p['start']} to {p['end']})"
                        for p in record.get("periods", []))
    facts = [
        ("Results run", record.get("run_id", "")),
        ("Input fingerprint", source.get("fingerprint", "")),
    ]
    if source.get("source") == "ingest_run":
        facts.append(("Warehouse ingest", f"run {source.get('ingest_run_id', '')}, finished "
                                          f"{source.get('ingest_finished_at', '')}"))
    if source.get("contract_version"):
        facts.append(("Data contract", source["contract_version"]))
    facts += [
        ("Code version", record.get("code_version", "")),
        ("Engine", record.get("engine", "")),
        ("Periods", periods),
        ("Confidence level", f"{float(parameters.get('confidence', 0)) * 100:g}%"
         if parameters.get("confidence") else ""),
        ("Metrics asked for", str(len(parameters.get("metrics", record.get("metrics", {}))))),
        ("Results rows", ", ".join(f"{n:,} {view}" for view, n in
                                   record.get("rows", {}).items())),
    ]
    return [(label, value) for label, value in facts if value]


@dataclass(frozen=True)
class MethodUsed:
    """One statistical method of the run, in the words ``run.json`` records for it."""

    name: str
    summary: str
    metrics: tuple[str, ...]


def methods_used(record: dict[str, Any], metric_methods: dict[str, str],
                 titles: dict[str, str]) -> list[MethodUsed]:
    """run.json's methods, each with the run's metrics computed by it (by title). Methods
    no metric used are left out; general entries (comparison, confidence, …) are kept."""
    by_method: dict[str, list[str]] = {}
    for metric_id, method in metric_methods.items():
        by_method.setdefault(method, []).append(titles.get(metric_id, metric_id))
    from pcref.metrics.catalogue import METHODS

    out = []
    for name, summary in record.get("methods", {}).items():
        used = tuple(sorted(by_method.get(name, ())))
        if name in METHODS and not used:
            continue
        out.append(MethodUsed(name=name.replace("_", " "), summary=summary, metrics=used))
    return out


@dataclass(frozen=True)
class PolicyShown:
    """A disclosure-control policy as the run applied it."""

    name: str
    description: str
    statement: str
    source: str


def applied_policy(record: dict[str, Any], view: str) -> PolicyShown | None:
    """The run's ``internal`` or ``public`` disclosure record, or None if it has none."""
    entry = record.get("disclosure", {}).get(view)
    if not entry:
        return None
    return PolicyShown(name=entry.get("name", view), description=entry.get("description", ""),
                       statement=entry.get("statement", ""), source=entry.get("source", ""))


def contract_tables() -> tuple[list[Any], list[Any]]:
    """The data contract's tables: (MHSDS tables, population and local lookups)."""
    from pcref.contract import load_contract

    tables = list(load_contract().tables.values())
    return [t for t in tables if t.mhsds], [t for t in tables if not t.mhsds]


def code_lists() -> list[dict[str, Any]]:
    """Each shipped code list's index entry (name, title, version, source)."""
    from pcref import codelists

    return [codelists.info(name) for name in codelists.names()]
