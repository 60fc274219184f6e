/*
id: mha_detentions
title: Detentions under the Mental Health Act
description: >
  Detentions under the Mental Health Act that started in the period, per 100,000 usual
  residents: crude, and directly standardised for sex and age (NHS England's method, with the
  area's own total population as the standard). A detention is a legal-status episode that NHS
  England's annual statistics classify as A (on admission), B (after admission), C (after a place
  of safety order), D (after CTO revocation) or P (criminal-justice admission).
family: Mental Health Act
unit: per 100,000 population
method: rate
multiplier: 100000
standardise: true
denominator: population
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, locality, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band, ethnicity_5 x quarter, ethnicity_5 x month]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: were detained under the Mental Health Act
requires: [mha_detentions]
source: >
  NHS England, Mental Health Act Statistics, Annual Figures (detentions = categories A, B, C, D,
  P; ethnicity rates directly standardised by sex and six age bands). See
  docs/mha-detention-classification.md.
*/
SELECT
    Person_ID,
    StartDateMHActLegalStatusClass AS event_date,
    1 AS numerator
FROM (
    SELECT DISTINCT Person_ID, UniqMHActEpisodeID, StartDateMHActLegalStatusClass
    FROM mha_detentions
) AS detention_episodes
