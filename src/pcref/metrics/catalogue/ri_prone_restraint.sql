/*
id: ri_prone_restraint
title: Inpatients restrained face down (prone restraint)
description: >
  Of the people who were inpatients on the trust's wards at any time in the period, the
  percentage physically restrained face down (prone restraint, restrictive intervention type 01)
  at least once in the period. Prone restraint carries the greatest risk to breathing, and
  national guidance is that people must not be deliberately restrained face down. The
  denominator is the same as for "Inpatients subject to a restrictive intervention": people with
  a ward stay overlapping the period by at least one day (a stay with no end date lasts until its
  hospital spell's discharge, or is still going), each counted once; a prone restraint counts
  only for a person who was an inpatient in the period. The person's age is taken on their first
  day as an inpatient in the period. Counting people rather than restraints keeps the comparison
  between ethnic groups from being driven by a few people restrained many times; the figure is
  for the whole period, so it is not split by month or quarter.
family: Restrictive practice
unit: "%"
method: proportion
multiplier: 100
denominator: rows
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: were restrained face down
requires: [inpatients_in_period]
source: >
  NHS England, MHSDS monthly restrictive interventions (MHS97, people in hospital subject to a
  restrictive intervention; MHS76 by restrictive intervention type) -
  NHSDigital/mental-health-monthly-statistics, Restraints_v5_Apr2022_onwards/Restraints_Prep.py;
  Department of Health, Positive and Proactive Care (2014) on prone restraint; notes
  pcref-requirements.md sections 2.4 and 7.2; code list restrictive_intervention_type
  (pcref_type prone_restraint).
*/
WITH

-- People with prone restraint (RESTRICTIVE INTERVENTION TYPE 01, physical restraint - prone) starting in the period.
restricted_people AS (
    SELECT DISTINCT Person_ID
    FROM MHS515RestrictiveInterventType
    WHERE RestrictiveIntType = '01'
      AND StartDateRestrictiveIntType
          BETWEEN CAST($period_start AS DATE) AND CAST($period_end AS DATE)
)

SELECT
    i.Person_ID,
    i.first_inpatient_day AS event_date,
    CASE WHEN r.Person_ID IS NULL THEN 0 ELSE 1 END AS numerator,
    1 AS denominator
FROM inpatients_in_period AS i
LEFT JOIN restricted_people AS r
    ON r.Person_ID = i.Person_ID
