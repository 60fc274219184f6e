/*
id: neurodev_assessed_within_13_weeks
title: Neurodevelopmental referrals seen within 13 weeks
description: >
  Of referrals for suspected autism, and for other neurodevelopmental conditions such as ADHD,
  that reached 13 weeks (91 days) after referral in the period, the percentage where the person
  had attended a first care contact on the referral within those 91 days. Two statistics: "autism"
  (primary reason for referral 25, suspected autism - NHS England's autism waiting time
  statistics) and "adhd_and_other" (reason 24, neurodevelopmental conditions excluding autism).
  Reason 26 (diagnosed autism) is not a referral for assessment and is left out. The wait runs from
  the date the referral was received to the first attended contact (attendance codes 5 or 6) on the
  same referral on or after that date; 91 days or fewer counts as within 13 weeks, as in NHS
  England's statistics, which also leave out referrals that include a hospital admission (as here).
  A referral is placed in the period on the day it reaches 91 days, so the outcome is known for
  every referral counted. Every such referral counts, as in NICE QS51's denominator: a referral
  closed or rejected without an attended contact in those 91 days counts as not seen. The team is
  the team the referral was sent to (a neurodevelopmental team, C01 or C04, when there are several).
  Most children's autism assessments happen in community paediatrics, outside this data set.
family: Neurodevelopmental
unit: "% of referrals"
method: proportion
multiplier: 100
denominator: rows
statistics: [autism, adhd_and_other]
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, team,
  month, quarter]
cross_breakdowns: [ethnicity_5 x age_band, ethnicity_5 x sex, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: increase
suppression: counts
sentence: were seen within 13 weeks of referral
requires: [neurodevelopmental_referrals]
source: >
  NICE quality standard QS51 statement 1 (diagnostic assessment started within 3 months of
  referral); NHS England, Autism Waiting Time Statistics from MHSDS (referral with
  PrimReasonReferralMH 25 to first care contact, 91 days or fewer = within 13 weeks, referrals
  with an inpatient stay excluded); notes/pcref-requirements.md §6.3 and §7 item 6. Reason codes:
  code list referral_reason.
*/
SELECT
    Person_ID,
    CAST(referral_date + INTERVAL 91 DAY AS DATE) AS event_date,
    CASE
        WHEN date_diff('day', referral_date, first_contact_date) <= 91 THEN 1 ELSE 0
    END AS numerator,
    1 AS denominator,
    statistic,
    team_id
FROM neurodevelopmental_referrals
-- Referrals reaching 13 weeks (91 days) in the period; assessed if first seen within 91 days.
WHERE CAST(referral_date + INTERVAL 91 DAY AS DATE) BETWEEN $period_start AND $period_end
