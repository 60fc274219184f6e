"""Who each team saw: the unit of the data-quality (protected characteristic recording) metrics.

=====================  =====================================================================
relation               what it holds
=====================  =====================================================================
people_seen_by_team    one row per person and team with an attended care contact (codes 5, 6)
                       in the period, with the first such contact's date; a contact with no
                       team stands for the person only when none of their contacts names one
=====================  =====================================================================

Read by the six ``dq_*_recorded`` metrics (NHS Digital, Reporting on mental health equality:
data quality of protected characteristics; notes/pcref-requirements.md section 2.5).
"""

from __future__ import annotations

from pcref.metrics.prep._sql_files import sql_reader

#: Each relation and the relations its SQL reads.
RELATIONS: dict[str, tuple[str, ...]] = {"people_seen_by_team": ()}

#: The data-contract columns the SQL reads, per contract table.
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "MHS201CareContact": ("Person_ID", "UniqCareProfTeamID", "CareContDate", "AttendOrDNACode"),
}

sql_text = sql_reader(__package__, RELATIONS, "care activity")
