/*
id: dq_religion_recorded
title: Religion or belief recording (coverage, validity and accuracy)
description: >
  How well people's religion or belief is recorded for the people each team saw. Counted once
  for each person and team with at least one attended care contact in the period (a person seen
  by two teams counts in both teams' figures, and twice in the trust total); contacts with no
  team recorded count as one row for the person only if none of their contacts in the period
  names a team. The person's religion is their latest social and personal circumstances
  record dated on or before the end of the period; later records are ignored, so past periods
  keep their figures. Coverage is the percentage with such a record; validity the percentage
  whose latest record holds a code from the NHS Data Dictionary religious or other belief group
  list (A to N); accuracy the percentage whose latest record says something: not M (declines to
  disclose) and not N (religion unknown). "Declines to disclose" shows the question was asked,
  which coverage and validity credit, but it cannot be used to look at care by religion, so it
  does not count as accurate - as a declined ethnicity (Z), disability (ZZ) or gender identity
  (Z) does not. "Other" (K) and "None" (L) are answers and do count. Ingest rejects codes
  outside the list, so after a normal ingest validity equals coverage; the gap that matters is
  between validity and accuracy.
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
sentence: had their religion or belief recorded
requires: [people_seen_by_team]
source: >
  NHS Digital, Reporting on mental health equality: data quality of protected characteristics
  (MHSDS) - coverage, validity and accuracy (notes/pcref-requirements.md section 2.5); MHSDS
  MHS011SocPerCircumstances; code list religion_group (pcref.codelists; NHS Data Dictionary
  RELIGIOUS OR OTHER BELIEF SYSTEM AFFILIATION GROUP CODE, November 2024 release).
*/
WITH latest_religion AS (
    -- The latest record on or before the period end (the table's key makes it unique).
    SELECT Person_ID, ReligiousAffiliationGroup AS code
    FROM (
        SELECT
            Person_ID,
            ReligiousAffiliationGroup,
            ROW_NUMBER() OVER (
                PARTITION BY Person_ID ORDER BY SocPerCircumstanceRecDate DESC
            ) AS recency
        FROM MHS011SocPerCircumstances
        WHERE SocPerCircumstanceRecDate <= $period_end
    ) AS dated_records
    WHERE recency = 1
),
recorded AS (
    SELECT p.Person_ID, p.team_id, p.event_date, r.code
    FROM people_seen_by_team AS p
    LEFT JOIN latest_religion AS r ON r.Person_ID = p.Person_ID
),
classified AS (
    SELECT
        Person_ID,
        team_id,
        event_date,
        CASE WHEN code IS NOT NULL AND TRIM(code) <> '' THEN 1 ELSE 0 END AS completed,
        CASE WHEN code IN (
            'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N'
        ) THEN 1 ELSE 0 END AS valid,
        -- The code list's unknown codes: M declines to disclose, N religion unknown.
        CASE WHEN code IN ('M', 'N') THEN 1 ELSE 0 END AS not_stated_or_known
    FROM recorded
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
       CASE WHEN valid = 1 AND not_stated_or_known = 0 THEN 1 ELSE 0 END AS numerator,
       1 AS denominator
FROM classified
