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
source: >
  NHS England, Autism Waiting Time Statistics from MHSDS (wait from a referral with
  PrimReasonReferralMH 25 to the first care contact; referrals with an inpatient stay excluded);
  NICE quality standard QS51 statement 1; notes/pcref-requirements.md §6.3 and §7 item 6
  (ADHD, reason 24, waits). Reason codes: code list referral_reason.
*/
WITH neurodevelopmental_referrals AS (
    -- Reasons 25 suspected autism and 24 neurodevelopmental excluding autism (referral_reason).
    SELECT
        r.UniqServReqID,
        r.Person_ID,
        r.ReferralRequestReceivedDate AS referral_date,
        CASE WHEN r.PrimReasonReferralMH = '25' THEN 'autism' ELSE 'adhd_and_other' END
            AS statistic
    FROM MHS101Referral AS r
    LEFT JOIN (SELECT DISTINCT UniqServReqID FROM MHS501HospProvSpell) AS admitted
        ON admitted.UniqServReqID = r.UniqServReqID
    WHERE r.PrimReasonReferralMH IN ('24', '25')
      AND admitted.UniqServReqID IS NULL
),

first_attended_contact AS (
    -- Attended (codes 5, 6 in code list attendance) on or after the referral date.
    SELECT n.UniqServReqID, MIN(c.CareContDate) AS first_contact_date
    FROM neurodevelopmental_referrals AS n
    INNER JOIN MHS201CareContact AS c
        ON c.UniqServReqID = n.UniqServReqID
    WHERE c.AttendOrDNACode IN ('5', '6')
      AND c.CareContDate >= n.referral_date
    GROUP BY n.UniqServReqID
),

referral_team AS (
    -- One team per referral: neurodevelopmental teams (C01, C04) first, then by identifier.
    SELECT
        UniqServReqID,
        UniqCareProfTeamID AS team_id,
        ROW_NUMBER() OVER (
            PARTITION BY UniqServReqID
            ORDER BY
                CASE WHEN ServTeamTypeRefToMH IN ('C01', 'C04') THEN 0 ELSE 1 END,
                UniqCareProfTeamID
        ) AS pick
    FROM MHS102ServiceTypeReferredTo
)

SELECT
    n.Person_ID,
    f.first_contact_date AS event_date,
    1 AS numerator,
    CAST(date_diff('day', n.referral_date, f.first_contact_date) AS DOUBLE) / 7 AS observation,
    n.statistic,
    t.team_id
FROM neurodevelopmental_referrals AS n
INNER JOIN first_attended_contact AS f
    ON f.UniqServReqID = n.UniqServReqID
LEFT JOIN referral_team AS t
    ON t.UniqServReqID = n.UniqServReqID
   AND t.pick = 1
WHERE f.first_contact_date BETWEEN $period_start AND $period_end
