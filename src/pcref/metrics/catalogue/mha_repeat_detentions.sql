/*
id: mha_repeat_detentions
title: People detained more than once under the Mental Health Act
description: >
  Of the people detained under the Mental Health Act in the period, the percentage detained two
  or more times in the period. A detention is a legal-status episode starting in the period that
  NHS England's annual statistics classify as A, B, C, D or P (as in "Detentions under the Mental
  Health Act"); each person counts once, in the denominator, and in the numerator if they had at
  least two such episodes. A section that follows another without a break can itself be a new
  detention (for example a section 3 starting the day after a section 2 ended), as in the
  published counts. Detentions before the period do not count. The person's age is taken at
  their first detention in the period. The figure is for the whole period, so it is not split by
  month or quarter.
family: Mental Health Act
unit: "%"
method: proportion
multiplier: 100
denominator: rows
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: were detained two or more times
requires: [mha_detentions, mha_repeat_detentions]
source: >
  NHS England, Mental Health Act Statistics, Annual Figures: people subject to repeat detentions
  (people grouped by their number of detentions A, B, C, D, P in the year) -
  NHSDigital/mental-health-act-annual-statistics, Agg/MHA Annual - Repeat Detentions.sql; notes
  mha-detention-categories.md section 6. Here the groups "2" to "7 and over" are added up and
  divided by everyone detained.
*/
WITH first_detentions AS (
    SELECT Person_ID, MIN(StartDateMHActLegalStatusClass) AS first_detention_date
    FROM mha_detentions
    GROUP BY Person_ID
)

SELECT
    r.Person_ID,
    f.first_detention_date AS event_date,
    CASE WHEN r.number_of_detentions >= 2 THEN 1 ELSE 0 END AS numerator,
    1 AS denominator
FROM mha_repeat_detentions AS r
INNER JOIN first_detentions AS f
    ON f.Person_ID = r.Person_ID
