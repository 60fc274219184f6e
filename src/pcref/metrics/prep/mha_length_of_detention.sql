-- mha_length_of_detention: continuous periods of detention ending in the reporting period and their
-- length in days, as in NHS England's "length of detention" (MHA LOS) measure.
--
-- Source: NHSDigital/mental-health-act-annual-statistics at commit 44a5ccd4,
-- mha_code/Prep/Annual_Measures_Prep.py ("MHA only LOS Prep": ALL_MHA, ALL_EPI, ALL_EPI_1, CONT_EPI,
-- MHA_SEVERITY, MHA_LOS, mha_los_quartiles) and mha_code/All Tables.py (restrictive_lookup, the
-- severity lookup); note shared/notes/mha-detention-categories.md §7 and §9.13–14.
--
-- Reads:   mha_episodes_in_period (mha_episodes_in_period.sql).
-- Params:  $period_start, $period_end — DATEs, both inclusive, the SAME period used to build
--          mha_episodes_in_period (DuckDB $name parameters; Spark :name after SQLGlot).
-- Grain:   one row per continuous run of detention days of one person whose last day falls in the
--          period. Count runs with COUNT(*); NHS England reports the count and the lower quartile,
--          median and upper quartile of length_of_detention_days (exact percentiles with linear
--          interpolation, Spark's PERCENTILE).
--
-- Steps (note §7):
--  1. Rows of mha_episodes_in_period of ANY category whose code is 02–10, 12–20, 31, 32 or 35–38
--     (informal 01, 34, 98, 99 are out). Only episodes that START in the period feed the measure.
--  2. The end of each episode: its end date; if it has none, the day after the period end when the
--     spell has no discharge date or was discharged on or after the period end (so a discharge on the
--     last day of the period counts as still open); otherwise it stays missing and the episode covers
--     no days. The published rule also falls back on the record's inactive date
--     (InactTimeMHAPeriod); the data contract has no such field, so that date is always missing and
--     its branches can never apply: an open episode whose spell was discharged before the period
--     end is lost, as it is in the published code whenever the inactive date is missing.
--  3. The union of the days the episodes cover, split into runs of consecutive days: an episode
--     ending on day D joins one starting on D + 1; a one-day gap splits. NHS England expands every
--     episode into calendar days; merging the date intervals (gaps and islands below) gives the same
--     runs without the expansion.
--  4. Length = last day − first day (a one-day run has length 0).
--  5. Only runs whose last day falls in the period are reported; runs still open at the period end
--     (set to the day after it) are excluded.
--  6. Each run is labelled with its "most severe" section: the largest severity code of its
--     episodes, taken AS TEXT as published (note §9.13), so '9' (s3) > '6' (s2) > '5' (s4) >
--     '4' (s136) > '31' (s45A) > '28' (s37/41) > '23' (s37): a run with s2 and s37/41 is labelled s2.
-- Demographics for breakdowns join MHS001MPI on Person_ID (one record per person in the contract).

WITH

-- NHS England's severity lookup (All Tables.py, restrictive_lookup) for the codes that pass step 1.
-- The published lookup also lists single-character forms ('2', '3', …) that two-character codes
-- never match, and informal/invalid codes that step 1 excludes; code 38 has no entry there (so a run
-- of only code 38 has no label), and neither does it here.
severity_lookup AS (
    SELECT *
    FROM (
        VALUES
            ('02', '6', 'Formally detained under Mental Health Act Section 2', 'Part II'),
            ('03', '9', 'Formally detained under Mental Health Act Section 3', 'Part II'),
            ('04', '5', 'Formally detained under Mental Health Act Section 4', 'Part II'),
            ('05', '2', 'Formally detained under Mental Health Act Section 5(2)', 'Part II'),
            ('06', '1', 'Formally detained under Mental Health Act Section 5(4)', 'Part II'),
            ('07', '20', 'Formally detained under Mental Health Act Section 35',
                'Court and prison disposals'),
            ('08', '21', 'Formally detained under Mental Health Act Section 36',
                'Court and prison disposals'),
            ('09', '28',
                'Formally detained under Mental Health Act Section 37 with section 41 restrictions',
                'Court and prison disposals'),
            ('10', '23', 'Formally detained under Mental Health Act Section 37',
                'Court and prison disposals'),
            ('12', '22', 'Formally detained under Mental Health Act Section 38',
                'Court and prison disposals'),
            ('13', '26', 'Formally detained under Mental Health Act Section 44',
                'Court and prison disposals'),
            ('14', '27', 'Formally detained under Mental Health Act Section 46',
                'Court and prison disposals'),
            ('15', '30',
                'Formally detained under Mental Health Act Section 47 with section 49 restrictions',
                'Court and prison disposals'),
            ('16', '25', 'Formally detained under Mental Health Act Section 47',
                'Court and prison disposals'),
            ('17', '29',
                'Formally detained under Mental Health Act Section 48 with section 49 restrictions',
                'Court and prison disposals'),
            ('18', '24', 'Formally detained under Mental Health Act Section 48',
                'Court and prison disposals'),
            ('19', '3', 'Formally detained under Mental Health Act Section 135', 'Place of safety'),
            ('20', '4', 'Formally detained under Mental Health Act Section 136', 'Place of safety'),
            ('31', '23.1',
                'Formally detained under Criminal Proceedings (Insanity) Act 1964 as amended by the '
                || 'Criminal Procedures (Insanity and Unfitness to Plead) Act 1991',
                'Court and prison disposals'),
            ('32', '15', 'Formally detained under other acts', 'Court and prison disposals'),
            ('35', '6.5', 'Subject to guardianship under Mental Health Act Section 7',
                'Court and prison disposals'),
            ('36', '21.5', 'Subject to guardianship under Mental Health Act Section 37',
                'Court and prison disposals'),
            ('37', '31', 'Formally detained under Mental Health Act Section 45A',
                'Court and prison disposals')
    ) AS lookup (LegalStatusCode, severity_code, most_severe_section, most_severe_category)
),

-- Steps 1 and 2.
detention_type_episodes AS (
    SELECT DISTINCT
        Person_ID,
        UniqMHActEpisodeID,
        LegalStatusCode,
        StartDateMHActLegalStatusClass AS covered_from,
        CASE
            WHEN EndDateMHActLegalStatusClass IS NOT NULL THEN EndDateMHActLegalStatusClass
            WHEN DischDateHospProvSpell IS NULL
                 OR DischDateHospProvSpell >= CAST($period_end AS DATE)
                THEN CAST(CAST($period_end AS DATE) + INTERVAL 1 DAY AS DATE)
        END AS covered_to
    FROM mha_episodes_in_period
    WHERE LegalStatusCode IN ('02', '03', '04', '05', '06', '07', '08', '09', '10',
                              '12', '13', '14', '15', '16', '17', '18', '19', '20',
                              '31', '32', '35', '36', '37', '38')
),

-- An episode with no end, or ending before it starts, covers no days.
covered_intervals AS (
    SELECT *
    FROM detention_type_episodes
    WHERE covered_to >= covered_from
),

-- Step 3, gaps and islands: in start order, an interval starts a new run when it begins more than
-- one day after the latest end reached by the person's earlier intervals.
intervals_with_reach AS (
    SELECT
        i.*,
        MAX(covered_to) OVER (
            PARTITION BY Person_ID
            ORDER BY covered_from, covered_to, UniqMHActEpisodeID
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS reached_before
    FROM covered_intervals AS i
),

intervals_in_runs AS (
    SELECT
        r.*,
        SUM(CASE
                WHEN reached_before IS NULL THEN 1
                WHEN covered_from > reached_before + INTERVAL 1 DAY THEN 1
                ELSE 0
            END) OVER (
            PARTITION BY Person_ID
            ORDER BY covered_from, covered_to, UniqMHActEpisodeID
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS run_number
    FROM intervals_with_reach AS r
),

-- Steps 4 and 6.
runs AS (
    SELECT
        i.Person_ID,
        i.run_number,
        MIN(i.covered_from) AS detention_start,
        MAX(i.covered_to) AS detention_end,
        MAX(s.severity_code) AS most_severe_code
    FROM intervals_in_runs AS i
    LEFT JOIN severity_lookup AS s
        ON s.LegalStatusCode = i.LegalStatusCode
    GROUP BY i.Person_ID, i.run_number
),

severity_labels AS (
    SELECT DISTINCT severity_code, most_severe_section, most_severe_category
    FROM severity_lookup
)

-- Step 5.
SELECT
    r.Person_ID,
    r.detention_start,
    r.detention_end,
    date_diff('day', r.detention_start, r.detention_end) AS length_of_detention_days,
    l.most_severe_section,
    l.most_severe_category
FROM runs AS r
LEFT JOIN severity_labels AS l
    ON l.severity_code = r.most_severe_code
WHERE r.detention_end BETWEEN CAST($period_start AS DATE) AND CAST($period_end AS DATE)
