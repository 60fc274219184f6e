/*
id: ri_seclusion
title: Inpatients secluded
description: >
  Of the people who were inpatients on the trust's wards at any time in the period, the
  percentage secluded (kept alone in a room they cannot leave, restrictive intervention type 05)
  at least once in the period. Long-term segregation (type 06) is not counted here. The
  denominator is the same as for "Inpatients subject to a restrictive intervention": people with
  a ward stay overlapping the period by at least one day (a stay with no end date lasts until its
  hospital spell's discharge, or is still going), each counted once; a seclusion counts only for
  a person who was an inpatient in the period. The person's age is taken on their first day as an
  inpatient in the period. People rather than seclusions per bed day are counted because one
  seclusion can last days and a few people can be secluded many times, which would let them
  drive the comparison between ethnic groups; the figure is for the whole period, so it is not
  split by month or quarter.
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
sentence: were secluded
requires: [inpatients_in_period]
source: >
  NHS England, MHSDS monthly restrictive interventions (MHS97, people in hospital subject to a
  restrictive intervention; MHS76 by restrictive intervention type) -
  NHSDigital/mental-health-monthly-statistics, Restraints_v5_Apr2022_onwards/Restraints_Prep.py;
  Mental Health Act 1983 Code of Practice (2015), chapter 26 (seclusion); notes
  pcref-requirements.md sections 2.4 and 7.2; code list restrictive_intervention_type
  (pcref_type seclusion).
*/
WITH

-- People with seclusion (RESTRICTIVE INTERVENTION TYPE 05) starting in the period.
restricted_people AS (
    SELECT DISTINCT Person_ID
    FROM MHS515RestrictiveInterventType
    WHERE RestrictiveIntType = '05'
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
