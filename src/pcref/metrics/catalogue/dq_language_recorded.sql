/*
id: dq_language_recorded
title: Preferred language recording (coverage, validity and accuracy)
description: >
  How well people's preferred spoken language is recorded for the people each team saw, so
  that interpreting and translated information can be offered. Counted once for each person and
  team with at least one attended care contact in the period (a person seen by two teams counts
  in both teams' figures, and twice in the trust total); contacts with no team recorded count
  as one row for the person only if none of their contacts in the period names a team.
  Coverage is the percentage with a preferred language recorded at all; validity the
  percentage with a code from the project's language list (ISO 639-1 two-letter codes plus the
  NHS codes q1 to q5 for Braille, sign languages and Makaton); accuracy the percentage with a
  valid code that says something. The list has no "not known" or "not stated" code, so accuracy
  equals validity. The list is marked incomplete (the Data Dictionary's own list was not
  verified), so a code outside it may be a real language the list lacks: where validity falls
  below coverage, check those codes before treating them as recording errors. Language is as
  recorded on the master patient index in the extract. English counts as recorded like any
  other language.
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
sentence: had their preferred language recorded
requires: [people_seen_by_team]
source: >
  NHS Digital, Reporting on mental health equality: data quality of protected characteristics
  (MHSDS) - coverage, validity and accuracy (notes/pcref-requirements.md section 2.5); MHSDS
  MHS001MPI.LanguageCodePreferred; code list preferred_language (pcref.codelists; UK Core Human
  Language code system).
*/
WITH recorded AS (
    SELECT p.Person_ID, p.team_id, p.event_date, m.LanguageCodePreferred AS code
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
            'aa', 'ab', 'ae', 'af', 'ak', 'am', 'an', 'ar', 'as', 'av', 'ay', 'az',
            'ba', 'be', 'bg', 'bh', 'bi', 'bm', 'bn', 'bo', 'br', 'bs', 'ca', 'ce',
            'ch', 'co', 'cr', 'cs', 'cu', 'cv', 'cy', 'da', 'de', 'dv', 'dz', 'ee',
            'el', 'en', 'eo', 'es', 'et', 'eu', 'fa', 'ff', 'fi', 'fj', 'fo', 'fr',
            'fy', 'ga', 'gd', 'gl', 'gn', 'gu', 'gv', 'ha', 'he', 'hi', 'ho', 'hr',
            'ht', 'hu', 'hy', 'hz', 'ia', 'id', 'ie', 'ig', 'ii', 'ik', 'io', 'is',
            'it', 'iu', 'ja', 'jv', 'ka', 'kg', 'ki', 'kj', 'kk', 'kl', 'km', 'kn',
            'ko', 'kr', 'ks', 'ku', 'kv', 'kw', 'ky', 'la', 'lb', 'lg', 'li', 'ln',
            'lo', 'lt', 'lu', 'lv', 'mg', 'mh', 'mi', 'mk', 'ml', 'mn', 'mo', 'mr',
            'ms', 'mt', 'my', 'na', 'nb', 'nd', 'ne', 'ng', 'nl', 'nn', 'no', 'nr',
            'nv', 'ny', 'oc', 'oj', 'om', 'or', 'os', 'pa', 'pi', 'pl', 'ps', 'pt',
            'q1', 'q2', 'q3', 'q4', 'q5', 'qu', 'rm', 'rn', 'ro', 'ru', 'rw', 'sa',
            'sc', 'sd', 'se', 'sg', 'si', 'sk', 'sl', 'sm', 'sn', 'so', 'sq', 'sr',
            'ss', 'st', 'su', 'sv', 'sw', 'ta', 'te', 'tg', 'th', 'ti', 'tk', 'tl',
            'tn', 'to', 'tr', 'ts', 'tt', 'tw', 'ty', 'ug', 'uk', 'ur', 'uz', 've',
            'vi', 'vo', 'wa', 'wo', 'xh', 'yi', 'yo', 'za', 'zh', 'zu'
        ) THEN 1 ELSE 0 END AS valid,
        -- The preferred_language list has no unknown codes (not stated / not known).
        0 AS not_stated_or_known
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
