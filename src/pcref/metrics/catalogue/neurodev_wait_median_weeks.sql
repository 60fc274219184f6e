/*
id: neurodev_wait_median_weeks
title: Wait from neurodevelopmental referral to first contact (median weeks)
description: >
  The median wait in weeks (days / 7, with decimals) from referral to the first attended care
  contact, for referrals for suspected autism and for other neurodevelopmental conditions such
  as ADHD whose first attended contact was in the period. Two statistics: "autism" (primary
  reason for referral 25, suspected autism) and "adhd_and_other" (reason 24, neurodevelopmental
  conditions excluding autism); reason 26 (diagnosed autism) is left out. The wait runs from the
  date the referral was received to the first attended contact (attendance codes 5 or 6) on the
  same referral on or after that date. Referrals that include a hospital admission are left out,
  as in NHS England's autism waiting time statistics. This measures completed waits: people still
  waiting are not in it (neurodev_assessed_within_13_weeks counts every referral). The team is
  the team the referral was sent to (a neurodevelopmental team, C01 or C04, when there are several).
family: Neurodevelopmental
unit: weeks
method: median
denominator: none
statistics: [autism, adhd_and_other]
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, team,
  month, quarter]
cross_breakdowns: [ethnicity_5 x age_band, ethnicity_5 x sex, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: waited from referral to a first appointment
requires: [neurodevelopmental_referrals]
source: >
  NHS England, Autism Waiting Time Statistics from MHSDS (wait from a referral with
  PrimReasonReferralMH 25 to the first care contact; referrals with an inpatient stay excluded);
  NICE quality standard QS51 statement 1; notes/pcref-requirements.md §6.3 and §7 item 6
  (ADHD, reason 24, waits). Reason codes: code list referral_reason.
*/
SELECT
    Person_ID,
    first_contact_date AS event_date,
    1 AS numerator,
    CAST(date_diff('day', referral_date, first_contact_date) AS DOUBLE) / 7 AS observation,
    statistic,
    team_id
FROM neurodevelopmental_referrals
-- First attended contacts in the period; referrals not yet seen have no wait.
WHERE first_contact_date BETWEEN $period_start AND $period_end
