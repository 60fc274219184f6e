"""Publication: the board report (HTML and PDF), the public PCREF page with its download of
published figures, and the CQC evidence pack (issue 7, items 4-6; docs/reports.md)."""
