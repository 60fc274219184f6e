/*
id: mha_s136
title: Uses of section 136 of the Mental Health Act
description: >
  Uses of section 136 that started in the period, per 100,000 usual residents: crude, and
  directly standardised for sex and age (NHS England's method). Section 136 lets the police take
  a person who appears to be in crisis from a public place to a place of safety for assessment.
  A use is a section 136 legal-status episode (code 20) that NHS England's annual statistics
  classify as a place of safety order (category E: the first legal status in its hospital spell,
  or one following an informal stay or a legal status that ended before it started); it counts
  whether or not the person was then admitted, and once even if it is linked to two hospital
  spells. Section 135 (a magistrate's warrant to enter premises, code 19) is also a place of
  safety order but is NOT counted: it is a different, court-authorised route, and NHS England
  publishes its ethnicity rates for section 136 alone. A section 136 recorded while another
  legal status in the same spell had not yet ended (category N) is not counted, as in the
  published figures.
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
sentence: were detained by the police under section 136
requires: [mha_episodes]
source: >
  NHS England, Mental Health Act Statistics, Annual Figures: short-term orders, section 136
  (MHA_Logic_Cat_full = 'E' and LegalStatusCode = '20', counted as distinct UniqMHActEpisodeID
  among episodes starting in the year, with or without a hospital spell) -
  NHSDigital/mental-health-act-annual-statistics, mha_code/Rates/Ethnicity - Short Term Orders
  Standardisation.sql and Prep/Annual_Measures_Prep.py (short_term_orders); notes
  mha-detention-categories.md sections 4 and 5; code list mha_legal_status.
*/
SELECT
    Person_ID,
    StartDateMHActLegalStatusClass AS event_date,
    1 AS numerator
FROM (
    -- One row per section 136 episode. mha_episodes has one row per (episode, linked spell,
    -- previous episode, revoked CTO); the episode counts if any of its rows is category E.
    SELECT DISTINCT Person_ID, UniqMHActEpisodeID, StartDateMHActLegalStatusClass
    FROM mha_episodes
    WHERE LegalStatusCode = '20'
      AND mha_category = 'E'
      AND StartDateMHActLegalStatusClass
          BETWEEN CAST($period_start AS DATE) AND CAST($period_end AS DATE)
) AS section_136_episodes
