/*
id: dementia_wait_median_days
title: Wait from memory-service referral to dementia diagnosis (median days)
description: >
  The median number of days people waited from referral to a memory assessment service to their
  dementia diagnosis, for diagnoses made in the period. Each person counts once, at their first
  recorded dementia diagnosis (ICD-10 F00-F03 or G30, the code list diagnosis_dementia, matched
  on the first three characters), and only when that diagnosis was recorded on a memory-service
  referral (a referral to a team of type A17 memory services or A15 young onset dementia) on or
  after the day the referral was received; the wait runs from that referral's received date to the
  diagnosis date. People whose dementia was already recorded before the referral, or first
  recorded by another service, are not included. When the first diagnosis is recorded on more than
  one memory-service referral, the most recently received of them is used. The team is the memory
  team the referral was sent to. This measures completed waits: people still waiting, and people
  assessed who did not have dementia, are not in it (see dementia_diagnosed_within_6_weeks for the
  share diagnosed within six weeks of the same diagnoses).
family: Dementia
unit: days
method: median
denominator: none
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, team,
  month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: waited from referral to a dementia diagnosis
source: >
  Project requirements (notes/pcref-requirements.md §6 "wait referral→diagnosis (median, % within 6
  weeks)"; §7 item 4). Dementia codes: ICD-10 F00-F03, G30 (code list diagnosis_dementia) from MHSDS
  MHS604 PrimDiag / CodedDiagDate. The Prime Minister's Challenge on Dementia 2020 (Department of
  Health, 2015) expected a national average of six weeks from GP referral to initial assessment.
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
    1 AS numerator,
    date_diff('day', referral_date, diagnosis_date) AS observation,
    team_id
FROM diagnosed_referrals
WHERE pick = 1
