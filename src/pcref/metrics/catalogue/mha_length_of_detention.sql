/*
id: mha_length_of_detention
title: Length of detention under the Mental Health Act
description: >
  Median length, in days, of continuous periods of detention that ended in the period, as NHS
  England measures it. The days covered by a person's legal-status episodes that started in the
  period (codes 02-10, 12-20, 31, 32 and 35-38: sections 2 and 3, court and prison orders, and,
  as published, short-term holding powers such as section 136 and 5(2) and guardianship; not
  informal stays or unknown codes) are joined into runs of consecutive days; an episode
  starting the day after another ended continues the run, a gap of a day starts a new one. The
  length of a run is its last day minus its first day (a run of one day is 0). Only runs whose
  last day is in the period count; detentions still running at the end of the period are left
  out, and so are days of episodes that started before the period. An episode with no end date
  whose hospital stay ended before the period end covers no days (NHS England would use the
  record's inactive date, which the extract does not carry). Each run is dated by its last day.
  Shorter is not simply better (a detention should last as long as treatment needs), so no
  direction of improvement is set; the PCREF question is whether some groups are detained for
  longer than others.
family: Mental Health Act
unit: days
method: median
denominator: none
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: neutral
suppression: counts
sentence: were detained for
requires: [mha_length_of_detention]
source: >
  NHS England, Mental Health Act Statistics, Annual Figures: length of detention ("MHA LOS";
  count, lower quartile, median and upper quartile of continuous detention in days, for periods
  ending in the year) - NHSDigital/mental-health-act-annual-statistics, Prep/Annual_Measures_Prep.py
  (MHA only LOS Prep) and Agg/MHA Annual - MHA LOS.sql; notes mha-detention-categories.md
  sections 7 and 9.13-9.14.
*/
SELECT
    Person_ID,
    detention_end AS event_date,
    1 AS numerator,
    length_of_detention_days AS observation
FROM mha_length_of_detention
