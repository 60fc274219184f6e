"""Inpatients in the period: the denominator of the restrictive-intervention percentages.

=====================  =====================================================================
relation               what it holds
=====================  =====================================================================
inpatients_in_period   one row per person on a ward on at least one day of the period, with
                       that first day (a ward stay ends on its end date, else its hospital
                       spell's discharge date, else it is still going)
=====================  =====================================================================

Read by ri_people_pct, ri_prone_restraint, ri_rapid_tranquillisation and ri_seclusion; the rule
follows NHS England's RI_HOSPITAL_PERC denominator (NHSDigital/mental-health-monthly-statistics,
Restraints_v5_Apr2022_onwards/Restraints_Prep.py; notes/pcref-requirements.md section 2.4).
"""

from __future__ import annotations

from pcref.metrics.prep._sql_files import sql_reader

#: Each relation and the relations its SQL reads.
RELATIONS: dict[str, tuple[str, ...]] = {"inpatients_in_period": ()}

#: The data-contract columns the SQL reads, per contract table.
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "MHS502WardStay": ("Person_ID", "UniqHospProvSpellID", "StartDateWardStay", "EndDateWardStay"),
    "MHS501HospProvSpell": ("UniqHospProvSpellID", "DischDateHospProvSpell"),
}

sql_text = sql_reader(__package__, RELATIONS, "inpatient")
