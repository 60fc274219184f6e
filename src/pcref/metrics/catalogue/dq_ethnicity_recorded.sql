/*
id: dq_ethnicity_recorded
title: Ethnicity recording (coverage, validity and accuracy)
description: >
  How well ethnicity is recorded for the people each team saw. Counted once for each person and
  team with at least one attended care contact in the period (a person seen by two teams counts
  in both teams' figures, and twice in the trust total); contacts with no team recorded count
  as one row for the person only if none of their contacts in the period names a team.
  Coverage is the percentage with an ethnic category recorded at all; validity the percentage
  with a code from the NHS Data Dictionary ETHNIC CATEGORY list (A to S, Z, 99); accuracy the
  percentage with a valid code that says something, i.e. not Z (not stated: asked and declined)
  and not 99 (not known). Ethnicity is as recorded on the master patient index in the extract.
  Ingest rejects codes outside the list, so after a normal ingest validity equals coverage; the
  gap that matters is between validity and accuracy.
family: Data quality
unit: "%"
method: proportion
multiplier: 100
denominator: rows
statistics: [coverage, validity, accuracy]
breakdowns: [total, team, locality, month, quarter]
cross_breakdowns: [team x quarter]
improvement_direction: increase
suppression: counts
sentence: had their ethnicity recorded
requires: [people_seen_by_team]
source: >
  NHS Digital, Reporting on mental health equality: data quality of protected characteristics
  (MHSDS) - coverage, validity and accuracy (notes/pcref-requirements.md section 2.5); MHSDS
  data-quality dashboard metadata (EthnicCategory Required, 99 an unknown code); code list
  ethnic_category (pcref.codelists).
*/
WITH recorded AS (
    SELECT p.Person_ID, p.team_id, p.event_date, m.EthnicCategory AS code
    FROM people_seen_by_team AS p
    LEFT JOIN MHS001MPI AS m ON m.Person_ID = p.Person_ID
),
classified AS (
    SELECT
        Person_ID,
        team_id,
        event_date,
        CASE WHEN code IS NOT NULL AND TRIM(code) <> '' THEN 1 ELSE 0 END AS completed,
        CASE WHEN code IN (
            'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S',
            'Z', '99'
        ) THEN 1 ELSE 0 END AS valid,
        -- The code list's unknown codes: Z not stated, 99 not known.
        CASE WHEN code IN ('Z', '99') THEN 1 ELSE 0 END AS not_stated_or_known
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
