"""The board report as an HTML document and as a PDF, both from
``publication/board_report_document.jinja`` (which includes the same body as the staff
page). WeasyPrint makes the PDF; it needs Pango, which ``.ci/run`` installs."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from pcref.disclosure import resolve_policy
from pcref.web.publication.board_report import BoardReport


def policy_words(policy: str) -> str:
    """The policy's one-line description, as the report states it."""
    return resolve_policy(policy).description


def board_report_html(report: BoardReport) -> str:
    """The report as one self-contained HTML file (styles inside, charts inline SVG)."""
    return render_to_string("publication/board_report_document.jinja", {
        "report": report,
        "policy_words": policy_words(report.policy),
        "organisation": getattr(settings, "PCREF_ORGANISATION_NAME", ""),
    })


def board_report_pdf(report: BoardReport) -> bytes:
    """The report as a PDF (A4, page numbers in the footer)."""
    from weasyprint import HTML

    return HTML(string=board_report_html(report)).write_pdf()
