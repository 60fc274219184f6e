"""Neurodevelopmental (autism, ADHD and other) referrals and their first attended contact.

=============================  =============================================================
relation                       what it holds
=============================  =============================================================
neurodevelopmental_referrals   every referral for suspected autism (reason 25, statistic
                               ``autism``) or another neurodevelopmental condition (24,
                               ``adhd_and_other``) not linked to a hospital spell, with its
                               first attended contact (codes 5, 6) on or after the referral
                               date, if any, and one team (C01/C04 teams first)
=============================  =============================================================

Read by neurodev_assessed_within_13_weeks (referrals reaching 13 weeks in the period) and
neurodev_wait_median_weeks (first contacts in the period). Source: NHS England, Autism Waiting
Time Statistics from MHSDS (referral with PrimReasonReferralMH 25 to first care contact,
referrals with an inpatient stay excluded); NICE quality standard QS51 statement 1;
notes/pcref-requirements.md §6.3.
"""

from __future__ import annotations

from pcref.metrics.prep._sql_files import sql_reader

#: Each relation and the relations its SQL reads.
RELATIONS: dict[str, tuple[str, ...]] = {"neurodevelopmental_referrals": ()}

#: The data-contract columns the SQL reads, per contract table.
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "MHS101Referral": (
        "UniqServReqID", "Person_ID", "ReferralRequestReceivedDate", "PrimReasonReferralMH",
    ),
    "MHS501HospProvSpell": ("UniqServReqID",),
    "MHS201CareContact": ("UniqServReqID", "CareContDate", "AttendOrDNACode"),
    "MHS102ServiceTypeReferredTo": ("UniqServReqID", "UniqCareProfTeamID", "ServTeamTypeRefToMH"),
}

sql_text = sql_reader(__package__, RELATIONS, "neurodevelopmental")
