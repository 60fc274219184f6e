/*
id: dq_disability_recorded
title: Disability recording (coverage, validity and accuracy)
description: >
  How well disability is recorded for the people each team saw. Counted once for each person
  and team with at least one attended care contact in the period (a person seen by two teams
  counts in both teams' figures, and twice in the trust total); contacts with no team recorded
  count as one row for the person only if none of their contacts in the period names a team.
  A person may have several disability records; those dated after the end of the period are
  ignored (undated records count). Coverage is the percentage with at least one disability
  record; validity the percentage with at least one code from the NHS Data Dictionary
  DISABILITY CODE list; accuracy the percentage with at least one valid code that says
  something, i.e. anything but ZZ (not stated: asked but declined). NN ("no disability") is a
  recorded answer and counts as accurate, as does XX (other disability not listed). Ingest
  rejects codes outside the list, so after a normal ingest validity equals coverage; the gap
  that matters is between validity and accuracy.
family: Data quality
unit: "%"
method: proportion
multiplier: 100
denominator: rows
statistics: [coverage, validity, accuracy]
breakdowns: [total, ethnicity_5, age_band, sex, team, locality, month, quarter]
cross_breakdowns: [ethnicity_5 x age_band, ethnicity_5 x sex, team x quarter]
reference_group: {ethnicity_5: White}
improvement_direction: increase
suppression: counts
sentence: had their disability status recorded
requires: [people_seen_by_team]
source: >
  NHS Digital, Reporting on mental health equality: data quality of protected characteristics
  (MHSDS) - coverage, validity and accuracy (notes/pcref-requirements.md section 2.5); MHSDS
  MHS007DisabilityType; code list disability (pcref.codelists; NHS Data Dictionary DISABILITY
  CODE).
*/
WITH disability_records AS (
    SELECT
        Person_ID,
        CASE WHEN DisabCode IS NOT NULL AND TRIM(DisabCode) <> '' THEN 1 ELSE 0 END AS completed,
        CASE WHEN DisabCode IN (
            '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', 'XX', 'NN', 'ZZ'
        ) THEN 1 ELSE 0 END AS valid,
        -- The code list's unknown code: ZZ not stated (asked but declined).
        CASE WHEN DisabCode IN ('ZZ') THEN 1 ELSE 0 END AS not_stated_or_known
    FROM MHS007DisabilityType
    WHERE DisabRecordedDate IS NULL OR DisabRecordedDate <= $period_end
),
person_disability AS (
    -- A person counts when ANY of their records is completed / valid / valid and useful.
    SELECT
        Person_ID,
        MAX(completed) AS completed,
        MAX(valid) AS valid,
        MAX(CASE WHEN valid = 1 AND not_stated_or_known = 0 THEN 1 ELSE 0 END) AS useful
    FROM disability_records
    GROUP BY Person_ID
),
classified AS (
    SELECT
        p.Person_ID,
        p.team_id,
        p.event_date,
        COALESCE(d.completed, 0) AS completed,
        COALESCE(d.valid, 0) AS valid,
        COALESCE(d.useful, 0) AS useful
    FROM people_seen_by_team AS p
    LEFT JOIN person_disability AS d ON d.Person_ID = p.Person_ID
)
SELECT Person_ID, event_date, team_id, 'coverage' AS statistic,
       completed AS numerator, 1 AS denominator
FROM classified
UNION ALL
SELECT Person_ID, event_date, team_id, 'validity' AS statistic,
       valid AS numerator, 1 AS denominator
FROM classified
UNION ALL
SELECT Person_ID, event_date, team_id, 'accuracy' AS statistic,
       useful AS numerator, 1 AS denominator
FROM classified
