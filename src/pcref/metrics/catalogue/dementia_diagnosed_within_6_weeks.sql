/*
id: dementia_diagnosed_within_6_weeks
title: Dementia diagnoses made within six weeks of referral to a memory service
description: >
  Of people diagnosed with dementia by the trust's memory assessment services in the period, the
  percentage whose diagnosis came within six weeks (42 days or fewer) of the memory-service
  referral. This is the figure the trust quotes ("one in three people receive a dementia diagnosis
  within six weeks"; "the proportion of people diagnosed within six weeks of referral"). The people
  counted are exactly those in dementia_wait_median_days: each person once, at their first recorded
  dementia diagnosis (ICD-10 F00-F03 or G30), when it was recorded on a memory-service referral
  (team type A17 memory services or A15 young onset dementia) on or after the day the referral was
  received; the period is the one the diagnosis date falls in. The denominator is people diagnosed,
  not everyone referred: not every memory referral ends in dementia, and the share that does can
  differ between ethnic groups, so a per-referral percentage would mix speed with case mix. People
  still waiting are not counted until they are diagnosed, and people assessed who did not have
  dementia are not counted at all.
family: Dementia
unit: "% of diagnoses"
method: proportion
multiplier: 100
denominator: rows
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, team,
  month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: increase
suppression: counts
sentence: were diagnosed with dementia within six weeks of referral
source: >
  Kent and Medway NHS and Social Care Partnership Trust, "Improving dementia diagnosis in Kent and
  Medway for timely care" (20 May 2025) and "Dementia wait times halved in Kent and Medway"
  (4 December 2025); notes/pcref-requirements.md §6.1 and §7 item 4. Six-week expectation: Prime
  Minister's Challenge on Dementia 2020 (Department of Health, 2015). Dementia codes: ICD-10
  F00-F03, G30 (code list diagnosis_dementia) from MHSDS MHS604.
*/
WITH dementia_diagnoses AS (
    -- ICD-10 dementia codes (code list diagnosis_dementia), matched on the 3-character category.
    SELECT Person_ID, UniqServReqID, CodedDiagDate
    FROM MHS604PrimDiag
    WHERE DiagSchemeInUse = '02'
      AND SUBSTR(PrimDiag, 1, 3) IN ('F00', 'F01', 'F02', 'F03', 'G30')
),

first_diagnosis AS (
    SELECT Person_ID, MIN(CodedDiagDate) AS diagnosis_date
    FROM dementia_diagnoses
    GROUP BY Person_ID
),

memory_referrals AS (
    -- Referrals sent to a memory-service team (team_type service_area = memory).
    SELECT
        r.UniqServReqID,
        r.ReferralRequestReceivedDate,
        MIN(s.UniqCareProfTeamID) AS team_id
    FROM MHS101Referral AS r
    INNER JOIN MHS102ServiceTypeReferredTo AS s
        ON s.UniqServReqID = r.UniqServReqID
    WHERE s.ServTeamTypeRefToMH IN ('A15', 'A17')
    GROUP BY r.UniqServReqID, r.ReferralRequestReceivedDate
),

diagnosed_referrals AS (
    -- The memory-service referral each first diagnosis was made on (latest received if several).
    SELECT
        f.Person_ID,
        f.diagnosis_date,
        m.ReferralRequestReceivedDate AS referral_date,
        m.team_id,
        ROW_NUMBER() OVER (
            PARTITION BY f.Person_ID
            ORDER BY m.ReferralRequestReceivedDate DESC, m.UniqServReqID
        ) AS pick
    FROM first_diagnosis AS f
    INNER JOIN dementia_diagnoses AS d
        ON d.Person_ID = f.Person_ID
       AND d.CodedDiagDate = f.diagnosis_date
    INNER JOIN memory_referrals AS m
        ON m.UniqServReqID = d.UniqServReqID
    WHERE m.ReferralRequestReceivedDate <= f.diagnosis_date
      AND f.diagnosis_date BETWEEN $period_start AND $period_end
)

SELECT
    Person_ID,
    diagnosis_date AS event_date,
    CASE WHEN date_diff('day', referral_date, diagnosis_date) <= 42 THEN 1 ELSE 0 END AS numerator,
    1 AS denominator,
    team_id
FROM diagnosed_referrals
WHERE pick = 1
