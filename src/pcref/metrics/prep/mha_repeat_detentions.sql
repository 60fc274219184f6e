-- mha_repeat_detentions: each person detained in the reporting period with their number of
-- detentions, and the band NHS England reports ("People subject to repeat detentions").
--
-- Source: NHSDigital/mental-health-act-annual-statistics at commit 44a5ccd4,
-- mha_code/Agg/MHA Annual - Repeat Detentions.sql; note shared/notes/mha-detention-categories.md §6.
--
-- Reads:   mha_detentions (mha_detentions.sql; the period is applied upstream).
-- Params:  none of its own.
-- Grain:   one row per person with at least one detention (category A, B, C, D or P) in the period.
-- Output:  number_of_detentions = distinct detention episodes; detention_count_band = '1' … '6' or
--          '7 and over'. The published measure is the number of people in each band:
--          SELECT detention_count_band, COUNT(*) FROM mha_repeat_detentions GROUP BY 1.
--
-- Published quirks, for the record: NHS England compares the count cast to text with the number 7
-- (it works through implicit conversion; compared as numbers here, with the same result), and it
-- joins demographics on person only from MPI records kept per provider, so a person whose records at
-- two providers differ is counted once per distinct combination. The data contract holds one MPI
-- record per person, so a demographic join on Person_ID counts each person once.

SELECT
    Person_ID,
    COUNT(DISTINCT UniqMHActEpisodeID) AS number_of_detentions,
    CASE
        WHEN COUNT(DISTINCT UniqMHActEpisodeID) >= 7 THEN '7 and over'
        ELSE CAST(COUNT(DISTINCT UniqMHActEpisodeID) AS VARCHAR)
    END AS detention_count_band
FROM mha_detentions
GROUP BY Person_ID
