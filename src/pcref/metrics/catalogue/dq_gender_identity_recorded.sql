/*
id: dq_gender_identity_recorded
title: Gender identity recording (coverage, validity and accuracy)
description: >
  How well people's gender identity is recorded for the people each team saw. Counted once for
  each person and team with at least one attended care contact in the period (a person seen by
  two teams counts in both teams' figures, and twice in the trust total); contacts with no team
  recorded count as one row for the person only if none of their contacts in the period names
  a team. Coverage is the percentage with a gender identity code recorded at all; validity the
  percentage with a code from the NHS Data Dictionary GENDER IDENTITY CODE list (1 male,
  2 female, 3 non-binary, 4 other, X not known, Z not stated); accuracy the percentage with a
  valid code that says something: 1 to 4, not X (not known, not recorded) and not Z (asked but
  declined). Gender identity is as recorded on the master patient index in the extract; the
  separate person stated gender field is not counted here. Ingest rejects codes outside the
  list, so after a normal ingest validity equals coverage; the gap that matters is between
  validity and accuracy.
family: Data quality
unit: "%"
method: proportion
multiplier: 100
denominator: rows
statistics: [coverage, validity, accuracy]
breakdowns: [total, ethnicity_5, age_band, team, locality, month, quarter]
cross_breakdowns: [ethnicity_5 x age_band, team x quarter]
reference_group: {ethnicity_5: White}
improvement_direction: increase
suppression: counts
sentence: had their gender identity recorded
requires: [people_seen_by_team]
source: >
  NHS Digital, Reporting on mental health equality: data quality of protected characteristics
  (MHSDS) - coverage, validity and accuracy (notes/pcref-requirements.md section 2.5); MHSDS
  MHS001MPI.GenderIDCode; code list gender_identity (pcref.codelists; NHS Data Dictionary
  GENDER IDENTITY CODE, November 2024 release).
*/
WITH recorded AS (
    SELECT p.Person_ID, p.team_id, p.event_date, m.GenderIDCode AS code
    FROM people_seen_by_team AS p
    LEFT JOIN MHS001MPI AS m ON m.Person_ID = p.Person_ID
),
classified AS (
    SELECT
        Person_ID,
        team_id,
        event_date,
        CASE WHEN code IS NOT NULL AND TRIM(code) <> '' THEN 1 ELSE 0 END AS completed,
        CASE WHEN code IN ('1', '2', '3', '4', 'X', 'Z') THEN 1 ELSE 0 END AS valid,
        -- The code list's unknown codes: X not known, Z not stated.
        CASE WHEN code IN ('X', 'Z') THEN 1 ELSE 0 END AS not_stated_or_known
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
