"""The CQC evidence pack: one zip file showing how the trust implements, evaluates and
achieves its PCREF actions and outcomes (CQC brief guide, notes/pcref-requirements.md §1.6).

Contents (``MANIFEST.csv`` lists every file with its SHA-256, rows and what it is):

* ``plan/`` the action plan: ``actions.csv`` (every field, links to metrics, themes and
  "you said, we did"), ``progress_updates.csv``, ``evidence.csv`` with the evidence files
  themselves under ``plan/evidence/``, and ``history.csv`` (every recorded change).
* ``self_assessments.csv``: every assessment, each item's score, evidence and change since
  the assessment before.
* ``trail.csv``: feedback → action → outcome, one row per action: the "you said, we did"
  entries and feedback themes behind it, how many comments those entries link (never their
  text), its status, and the outcome from "did it work" on the results run.
* ``metrics/``: ``figures_public.csv`` (every figure under the public policy),
  ``metrics.csv`` and ``sql/``; with ``include_internal`` also ``figures_internal.csv``
  (NHS England's MHSDS rule: small counts still hidden, for a regulator under an
  information-sharing agreement — the pack's README says which policy each file follows).
* ``board_report.html``: the board report for the period under the public policy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from pcref.web.dashboard.models import INTERNAL_POLICY, PUBLIC_POLICY, Figure, ResultsRun
from pcref.web.governance.choices import ASSESSMENT_ITEMS, ASSESSMENT_PARTS, Competency
from pcref.web.governance.did_it_work import BREAKDOWN, evaluate
from pcref.web.governance.models import (
    Action,
    ActionChange,
    Evidence,
    ProgressUpdate,
    SelfAssessment,
)
from pcref.web.governance.progress import change_words
from pcref.web.publication.board_report import build_board_report
from pcref.web.publication.published_figures import (
    FIGURE_COLUMNS,
    METRIC_COLUMNS,
    as_csv,
    figure_rows,
    metric_rows,
)
from pcref.web.publication.rendering import board_report_html, policy_words

ACTION_COLUMNS = (
    "action_id", "title", "description", "priority_area", "competencies", "metric_id",
    "ethnic_group", "feedback_themes", "you_said_we_did", "owner", "partners", "start_date",
    "due_date", "status", "rag", "rag_set_by_hand", "rag_reason", "created_at",
)
UPDATE_COLUMNS = ("action_id", "action", "on", "text", "written_by", "written_at")
EVIDENCE_COLUMNS = ("action_id", "action", "title", "file", "original_name", "url",
                    "added_by", "added_at")
HISTORY_COLUMNS = ("action_id", "action", "changed_at", "changed_by", "field", "old", "new")
ASSESSMENT_COLUMNS = ("assessed_on", "assessed_by", "part", "item", "label", "score",
                      "evidence", "change_since_previous")
TRAIL_COLUMNS = (
    "action_id", "action", "you_said_we_did", "you_said", "we_did", "feedback_themes",
    "linked_comments", "status", "rag", "metric_id", "ethnic_group", "outcome",
    "outcome_run_id",
)
MANIFEST_COLUMNS = ("file", "description", "rows", "bytes", "sha256")


@dataclass
class PackFile:
    path: str
    data: bytes
    description: str
    rows: int | None = None


def _csv_file(path: str, columns: tuple[str, ...], rows: list[dict], description: str
              ) -> PackFile:
    text = as_csv(columns, [{k: "" if v is None else str(v) for k, v in r.items()}
                            for r in rows], text_columns=columns)
    return PackFile(path, text.encode("utf-8"), description, len(rows))


def _actions() -> list[Action]:
    return list(Action.objects.prefetch_related("you_said_we_did__comments"))


def action_rows(actions: list[Action]) -> list[dict]:
    names = dict(Competency.choices)
    return [{
        "action_id": a.pk, "title": a.title, "description": a.description,
        "priority_area": a.get_priority_area_display(),
        "competencies": "; ".join(names.get(c, c) for c in a.competencies),
        "metric_id": a.metric_id, "ethnic_group": a.ethnic_group,
        "feedback_themes": "; ".join(a.feedback_themes),
        "you_said_we_did": "; ".join(e.title for e in a.you_said_we_did.all()),
        "owner": a.owner, "partners": a.partners, "start_date": a.start_date,
        "due_date": a.due_date, "status": a.get_status_display(), "rag": a.get_rag_display(),
        "rag_set_by_hand": "yes" if a.rag_is_set else "no", "rag_reason": a.rag_reason,
        "created_at": a.created_at.isoformat(),
    } for a in actions]


def outcome(action: Action, run: ResultsRun | None, policy: str) -> str:
    """The "did it work" verdict for an action linked to a metric, or why there is none."""
    if not action.metric_id:
        return "Not linked to a metric."
    if run is None:
        return "No results run is loaded."
    metric = run.metrics.filter(metric_id=action.metric_id).first()
    figures = Figure.objects.filter(run=run, disclosure_policy=policy, breakdown=BREAKDOWN,
                                    metric=metric) if metric else []
    result = evaluate(metric, action.ethnic_group, action.start_date, figures)
    if result.verdict is not None:
        return result.verdict.sentence
    return result.unavailable or "No evaluation."


def trail_rows(actions: list[Action], run: ResultsRun | None, policy: str) -> list[dict]:
    rows = []
    for a in actions:
        entries = list(a.you_said_we_did.all())
        themes = dict.fromkeys([*a.feedback_themes,
                                *(t for e in entries for t in e.themes)])
        rows.append({
            "action_id": a.pk, "action": a.title,
            "you_said_we_did": "; ".join(e.title for e in entries),
            "you_said": " | ".join(e.what_people_said for e in entries),
            "we_did": " | ".join(e.what_we_did for e in entries),
            "feedback_themes": "; ".join(themes),
            "linked_comments": sum(len(e.comments.all()) for e in entries),
            "status": a.get_status_display(), "rag": a.get_rag_display(),
            "metric_id": a.metric_id, "ethnic_group": a.ethnic_group,
            "outcome": outcome(a, run, policy),
            "outcome_run_id": run.run_id if run and a.metric_id else "",
        })
    return rows


def assessment_rows() -> list[dict]:
    part_of = {key: heading for heading, choices in ASSESSMENT_PARTS
               for key, _ in choices.choices}
    kept = list(SelfAssessment.objects.prefetch_related("scores").order_by("assessed_on",
                                                                            "id"))
    rows, before = [], {}
    for assessment in kept:
        scores = {s.item: s for s in assessment.scores.all()}
        for item, label in ASSESSMENT_ITEMS.items():
            score = scores.get(item)
            now = score.score if score else None
            rows.append({
                "assessed_on": assessment.assessed_on, "assessed_by": assessment.assessed_by,
                "part": part_of[item], "item": item, "label": label,
                "score": score.get_score_display() if score else "Not scored",
                "evidence": score.evidence if score else "",
                "change_since_previous": change_words(now, before.get(item)),
            })
        before = {item: s.score for item, s in scores.items()}
    return rows


def evidence_files(actions: list[Action]) -> tuple[list[dict], list[PackFile]]:
    rows, files = [], []
    for evidence in Evidence.objects.filter(action__in=actions).select_related("action"):
        path = ""
        if evidence.file:
            name = PurePosixPath(evidence.file.name).name
            path = f"plan/evidence/{evidence.action_id}/{name}"
            with evidence.file.open("rb") as handle:
                files.append(PackFile(path, handle.read(),
                                      f"Evidence for action {evidence.action_id}: "
                                      f"{evidence.title}"))
        rows.append({
            "action_id": evidence.action_id, "action": evidence.action.title,
            "title": evidence.title, "file": path, "original_name": evidence.original_name,
            "url": evidence.url, "added_by": evidence.added_by,
            "added_at": evidence.added_at.isoformat(),
        })
    return rows, files


def pack_files(run: ResultsRun | None, period: str | None, *, include_internal: bool
               ) -> list[PackFile]:
    """Every file of the pack except the manifest and README, in the order listed."""
    actions = _actions()
    evidence, evidence_data = evidence_files(actions)
    files = [
        _csv_file("plan/actions.csv", ACTION_COLUMNS, action_rows(actions),
                  "The PCREF action plan: every action with every field."),
        _csv_file("plan/progress_updates.csv", UPDATE_COLUMNS, [{
            "action_id": u.action_id, "action": u.action.title, "on": u.on, "text": u.text,
            "written_by": u.written_by, "written_at": u.written_at.isoformat(),
        } for u in ProgressUpdate.objects.select_related("action").order_by("action_id", "on")],
            "Dated progress updates on each action."),
        _csv_file("plan/evidence.csv", EVIDENCE_COLUMNS, evidence,
                  "Evidence for each action: files (in plan/evidence/) and links."),
        *evidence_data,
        _csv_file("plan/history.csv", HISTORY_COLUMNS, [{
            "action_id": c.action_id, "action": c.action.title,
            "changed_at": c.changed_at.isoformat(), "changed_by": c.changed_by_username,
            "field": c.field, "old": c.old, "new": c.new,
        } for c in ActionChange.objects.select_related("action").order_by("action_id",
                                                                         "changed_at", "id")],
            "Every recorded change to every action (append-only history)."),
        _csv_file("self_assessments.csv", ASSESSMENT_COLUMNS, assessment_rows(),
                  "Self-assessments against the Part 1 obligations and the six "
                  "competencies, oldest first, with the change since the one before."),
        _csv_file("trail.csv", TRAIL_COLUMNS, trail_rows(actions, run, PUBLIC_POLICY),
                  "Feedback -> action -> outcome: what people said, what was done, and "
                  "whether the linked measure changed (public figures)."),
    ]
    if run is None:
        return files
    files.append(_csv_file("metrics/figures_public.csv", FIGURE_COLUMNS,
                           figure_rows(run, PUBLIC_POLICY),
                           f"Every figure of results run {run.run_id} under the public "
                           "policy."))
    if include_internal:
        files.append(_csv_file("metrics/figures_internal.csv", FIGURE_COLUMNS,
                               figure_rows(run, INTERNAL_POLICY),
                               f"Every figure of results run {run.run_id} under NHS "
                               "England's MHSDS rule (internal)."))
    metrics = metric_rows(run)
    files.append(_csv_file("metrics/metrics.csv", METRIC_COLUMNS, [r for r, _ in metrics],
                           "What each metric measures, its method and its SQL file."))
    files += [PackFile(row["sql_file"].replace("sql/", "metrics/sql/", 1), sql.encode(),
                       f"SQL of {row['metric_id']} as it ran.") for row, sql in metrics]
    report = build_board_report(run, period, PUBLIC_POLICY)
    files.append(PackFile("board_report.html", board_report_html(report).encode(),
                          f"The board report for {report.period} (public policy)."))
    return files


def readme(run: ResultsRun | None, include_internal: bool) -> str:
    lines = [
        "PCREF evidence pack for the Care Quality Commission",
        "",
        "How the trust implements, evaluates and achieves its PCREF actions and outcomes.",
        "MANIFEST.csv lists every file with what it is, its rows and its SHA-256.",
        "",
    ]
    if run is None:
        lines.append("No results run was loaded, so there are no metrics.")
    else:
        lines += [
            f"Figures: results run {run.run_id} ({', '.join(run.periods)}), made by "
            f"{run.code_version}.",
            f"figures_public.csv, trail.csv and board_report.html follow the public "
            f"disclosure policy: {policy_words(PUBLIC_POLICY)}",
        ]
        if include_internal:
            lines.append(f"figures_internal.csv follows NHS England's MHSDS rule: "
                         f"{policy_words(INTERNAL_POLICY)} Share it only under the trust's "
                         "information-sharing agreement with CQC.")
    lines += ["", "No file holds records about individual people or feedback comments' "
              "text; the trail counts linked comments.", ""]
    return "\n".join(lines)


def manifest(files: list[PackFile]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(MANIFEST_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for f in files:
        writer.writerow({"file": f.path, "description": f.description,
                         "rows": "" if f.rows is None else f.rows, "bytes": len(f.data),
                         "sha256": hashlib.sha256(f.data).hexdigest()})
    return out.getvalue().encode()


def cqc_pack_zip(run: ResultsRun | None, period: str | None = None, *,
                 include_internal: bool = False) -> bytes:
    """The evidence pack described at the top of this module, as zip bytes."""
    files = [PackFile("README.txt", readme(run, include_internal).encode(),
                      "What the pack is and which disclosure policy each file follows."),
             *pack_files(run, period, include_internal=include_internal)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.writestr(f.path, f.data)
        archive.writestr("MANIFEST.csv", manifest(files))
    return buffer.getvalue()
