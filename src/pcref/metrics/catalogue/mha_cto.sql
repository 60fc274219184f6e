/*
id: mha_cto
title: Community treatment orders
description: >
  Community treatment orders (CTOs) that started in the period, per 100,000 usual residents:
  crude, and directly standardised for sex and age (NHS England's method). A CTO lets a person
  who has been detained for treatment leave hospital under conditions and be recalled. Counted as
  NHS England counts "uses of CTOs": CTO records (MHS404) whose start date is in the period, one
  record kept per person, provider and start date (a record with an end date before an open one,
  then the latest end date, then the highest record identifier), and then one use per
  legal-status episode the order belongs to, dated by its earliest CTO start in the period. A CTO
  that started before the period is not counted, even if it was revoked or ended in it.
family: Mental Health Act
unit: per 100,000 population
method: rate
multiplier: 100000
standardise: true
denominator: population
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, locality, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: were placed on a community treatment order
source: >
  NHS England, Mental Health Act Statistics, Annual Figures: "Uses of CTOs" (Table 3) and CTO
  rates by ethnicity - NHSDigital/mental-health-act-annual-statistics, Agg/MHA Annual - T3.sql
  and Rates/Ethnicity - CTOs Standardisation.sql (COUNT(DISTINCT CTO_UniqMHActEpisodeID) over the
  cto table), Prep/Annual_Measures_Prep.py (MHS404CTO_Latest_Ranked, cto_final, StartDateCommTreatOrd
  in the year); notes mha-detention-categories.md sections 3.1 and 5, pcref-requirements.md
  section 3.3.
*/
WITH

-- One CTO record per person, provider and CTO start date (note §3.1). NHS England's first
-- tie-break, the latest RecordStartDate, is not in the data contract; the rest are as published,
-- including a record WITH an end date winning over an open one.
cto_records AS (
    SELECT
        Person_ID,
        UniqMHActEpisodeID,
        StartDateCommTreatOrd,
        ROW_NUMBER() OVER (
            PARTITION BY Person_ID, OrgIDProv, StartDateCommTreatOrd
            ORDER BY
                CASE WHEN EndDateCommTreatOrd IS NOT NULL THEN 2 ELSE 1 END DESC,
                EndDateCommTreatOrd DESC NULLS LAST,
                MHS404UniqID DESC NULLS LAST
        ) AS record_rank
    FROM MHS404CommTreatOrder
)

-- One use per legal-status episode with a CTO starting in the period.
SELECT
    Person_ID,
    MIN(StartDateCommTreatOrd) AS event_date,
    1 AS numerator
FROM cto_records
WHERE record_rank = 1
  AND StartDateCommTreatOrd BETWEEN CAST($period_start AS DATE) AND CAST($period_end AS DATE)
GROUP BY Person_ID, UniqMHActEpisodeID
