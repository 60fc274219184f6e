/*
id: ri_people_pct
title: Inpatients subject to a restrictive intervention
description: >
  Of the people who were inpatients on the trust's wards at any time in the period, the
  percentage subject to at least one restrictive intervention of any type (physical, chemical
  or mechanical restraint, seclusion or segregation) that started in the period. An inpatient is
  a person with a ward stay that overlaps the period by at least one day (a stay with no end date
  lasts until its hospital spell's discharge, or is still going); each person counts once
  however many stays or interventions they had. A restrictive intervention counts only for a
  person who was an inpatient in the period (an intervention recorded for someone with no ward
  stay in the extract is a recording gap, not counted). The person's age is taken on their first
  day as an inpatient in the period. The figure is for the whole period, so it is not split by
  month or quarter; for trends use restrictive interventions per 1,000 occupied bed days.
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
sentence: were subject to a restrictive intervention
requires: [inpatients_in_period]
source: >
  NHS England, MHSDS monthly restrictive interventions MHS97 (percentage of people in hospital
  subject to a restrictive intervention: distinct people with a restraint over distinct people
  with a hospital spell) and MHS76 (people subject to restrictive interventions) -
  NHSDigital/mental-health-monthly-statistics, Restraints_v5_Apr2022_onwards/Restraints_Prep.py
  (RI_HOSPITAL_PERC); notes pcref-requirements.md sections 2.4 and 7.2.
*/
WITH

-- People with a restrictive intervention of any type starting in the period.
restricted_people AS (
    SELECT DISTINCT Person_ID
    FROM MHS515RestrictiveInterventType
    WHERE StartDateRestrictiveIntType
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
