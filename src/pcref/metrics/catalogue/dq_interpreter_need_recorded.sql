/*
id: dq_interpreter_need_recorded
title: Interpreter need recording (coverage, validity and accuracy)
description: >
  How well it is recorded whether people need an interpreter (spoken or sign language), for the
  people each team saw. Counted once for each person and team with at least one attended care
  contact in the period (a person seen by two teams counts in both teams' figures, and twice in
  the trust total); contacts with no team recorded count as one row for the person only if none
  of their contacts in the period names a team. Coverage is the percentage with the item
  recorded at all; validity the percentage with a code from the list (Y interpreter required,
  N not required, Z not stated); accuracy the percentage with a valid answer that says
  something: Y or N, not Z (not asked, or the person declined to answer). MHSDS has no such
  field: this is the trust's local field, recorded under the Accessible Information Standard,
  as held on the master patient index in the extract. Ingest rejects codes outside the list, so
  after a normal ingest validity equals coverage; the gap that matters is between validity and
  accuracy.
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
sentence: had their need for an interpreter recorded
requires: [people_seen_by_team]
source: >
  NHS Digital, Reporting on mental health equality: data quality of protected characteristics
  (MHSDS) - coverage, validity and accuracy (notes/pcref-requirements.md section 2.5); NHS
  England, Accessible Information Standard (DAPB1605); local field MHS001MPI.InterpreterRequired
  and code list interpreter_required (pcref.codelists).
*/
WITH recorded AS (
    SELECT p.Person_ID, p.team_id, p.event_date, m.InterpreterRequired AS code
    FROM people_seen_by_team AS p
    LEFT JOIN MHS001MPI AS m ON m.Person_ID = p.Person_ID
),
classified AS (
    SELECT
        Person_ID,
        team_id,
        event_date,
        CASE WHEN code IS NOT NULL AND TRIM(code) <> '' THEN 1 ELSE 0 END AS completed,
        CASE WHEN code IN ('Y', 'N', 'Z') THEN 1 ELSE 0 END AS valid,
        -- The code list's unknown code: Z not stated.
        CASE WHEN code IN ('Z') THEN 1 ELSE 0 END AS not_stated_or_known
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
