/*
id: ri_per_1000_bed_days
title: Restrictive interventions per 1,000 occupied bed days
description: >
  Restrictive interventions that started in the period, per 1,000 occupied bed days on the
  trust's wards in the period. An intervention is one use of one type of restrictive
  intervention within an incident (NHS England's "restraints": physical restraint of any kind,
  chemical restraint including rapid tranquillisation, mechanical restraint, seclusion and
  segregation), so an incident in which a person was held and then secluded counts twice. Each
  intervention counts on its own start date and against the ward of the ward stay its incident
  is recorded on. Occupied bed days are counted as midnights, as NHS England does: a ward stay
  adds one bed day for every night in the period the person was on the ward (end date minus
  start date; a stay that starts and ends on the same day adds none; a stay still open at the
  end of the period counts up to and including its last night). A ward stay with no end date
  ends when its hospital spell was discharged, if it was. Bed days fall in the month of the
  night they belong to, so monthly and quarterly figures add up to the period's. Breakdowns by
  ethnicity, sex and age divide each group's interventions by the same group's bed days. The
  interval treats interventions as independent events; they cluster in a few people, so read it
  beside the percentage of inpatients restrained. Rates on fewer than 100 bed days are
  suppressed.
family: Restrictive practice
unit: per 1,000 occupied bed days
method: rate_per_denominator
multiplier: 1000
denominator: rows
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, ward, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band, ethnicity_5 x ward, ethnicity_5 x quarter, ethnicity_5 x month]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: bed_days
sentence: were subject to restrictive interventions
source: >
  NHS England, MHSDS monthly restrictive interventions MHS96 (restraints per 1,000 occupied bed
  days; restraints = distinct UniqRestrictiveIntIncID, UniqRestrictiveIntTypeID) and Mental
  Health Bulletin measure 7h; bed days as DATEDIFF(end date, or the day after the period end
  when open, start date clipped to the period start) -
  NHSDigital/mental-health-monthly-statistics, Restraints_v5_Apr2022_onwards/Restraints_Prep.py
  and Restraints_Published_CSV_Build/Restr_per_1000BD_Summary_Agg.py; suppression below 100
  bed days from Restraints_Suppression/Published_CSV_Suppression.py; notes
  pcref-requirements.md sections 2.4, 3.4 and 4.
*/
WITH

period AS (
    SELECT
        CAST($period_start AS DATE) AS period_start,
        CAST($period_end AS DATE) AS period_end,
        CAST(CAST($period_end AS DATE) + INTERVAL 1 DAY AS DATE) AS day_after_period,
        YEAR(CAST($period_start AS DATE)) * 12 + MONTH(CAST($period_start AS DATE)) - 1
            AS first_month_number,
        YEAR(CAST($period_end AS DATE)) * 12 + MONTH(CAST($period_end AS DATE)) - 1
            AS last_month_number
),

-- The calendar months the period touches (periods of up to 1,000 months), each with the first
-- day of the next month. month_number = year * 12 + month - 1.
digits AS (
    SELECT digit FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d (digit)
),

month_numbers AS (
    SELECT p.first_month_number + hundreds.digit * 100 + tens.digit * 10 + units.digit
        AS month_number
    FROM period AS p
    CROSS JOIN digits AS hundreds
    CROSS JOIN digits AS tens
    CROSS JOIN digits AS units
    WHERE p.first_month_number + hundreds.digit * 100 + tens.digit * 10 + units.digit
          <= p.last_month_number
),

months AS (
    SELECT
        MAKE_DATE(CAST(FLOOR(month_number / 12) AS INT), CAST(month_number % 12 AS INT) + 1, 1)
            AS month_start,
        MAKE_DATE(CAST(FLOOR((month_number + 1) / 12) AS INT),
                  CAST((month_number + 1) % 12 AS INT) + 1, 1)
            AS next_month_start
    FROM month_numbers
),

-- Ward stays with the day the person left the ward: the end date; if none, the discharge date of
-- the hospital spell; if none, still on the ward (the nights up to the period end count).
ward_stays AS (
    SELECT
        w.Person_ID,
        w.WardCode,
        w.StartDateWardStay,
        COALESCE(w.EndDateWardStay, s.DischDateHospProvSpell, p.day_after_period) AS left_ward
    FROM MHS502WardStay AS w
    CROSS JOIN period AS p
    LEFT JOIN MHS501HospProvSpell AS s
        ON s.UniqHospProvSpellID = w.UniqHospProvSpellID
),

-- Occupied bed days: the nights of each stay in each month of the period. A night belongs to
-- the day it starts, so the nights of [first_night, after_last_night) are counted.
ward_stay_months AS (
    SELECT
        w.Person_ID,
        w.WardCode,
        GREATEST(w.StartDateWardStay, m.month_start, p.period_start) AS first_night,
        LEAST(w.left_ward, m.next_month_start, p.day_after_period) AS after_last_night
    FROM ward_stays AS w
    CROSS JOIN period AS p
    INNER JOIN months AS m
        ON m.month_start < w.left_ward
       AND m.next_month_start > w.StartDateWardStay
),

occupied_bed_days AS (
    SELECT
        Person_ID,
        first_night AS event_date,
        0 AS numerator,
        date_diff('day', first_night, after_last_night) AS denominator,
        WardCode AS ward_code
    FROM ward_stay_months
    WHERE after_last_night > first_night
),

-- Restrictive interventions (MHS515 rows: one per type used within an incident, keyed by
-- UniqRestrictiveIntTypeID) starting in the period, on the ward of their incident's ward stay.
restrictive_interventions AS (
    SELECT
        t.Person_ID,
        t.StartDateRestrictiveIntType AS event_date,
        1 AS numerator,
        0 AS denominator,
        w.WardCode AS ward_code
    FROM MHS515RestrictiveInterventType AS t
    CROSS JOIN period AS p
    LEFT JOIN MHS505RestrictiveInterventInc AS i
        ON i.UniqRestrictiveIntIncID = t.UniqRestrictiveIntIncID
    LEFT JOIN MHS502WardStay AS w
        ON w.UniqWardStayID = i.UniqWardStayID
    WHERE t.StartDateRestrictiveIntType BETWEEN p.period_start AND p.period_end
)

SELECT Person_ID, event_date, numerator, denominator, ward_code
FROM restrictive_interventions
UNION ALL
SELECT Person_ID, event_date, numerator, denominator, ward_code
FROM occupied_bed_days
