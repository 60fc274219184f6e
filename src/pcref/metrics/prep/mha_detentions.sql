-- mha_detentions: detentions under the Mental Health Act in the reporting period, as NHS England
-- counts them from MHSDS: episodes in categories A, B, C, D or P.
--
-- Source: NHSDigital/mental-health-act-annual-statistics at commit 44a5ccd4,
-- mha_code/Agg/MHA Annual - T1.sql and Rates/Ethnicity - Detentions Standardisation.sql
-- (MHA_Logic_Cat_full IN ('A','B','C','D','P') over the detentions table); note
-- shared/notes/mha-detention-categories.md §5.
--
-- Reads:   mha_episodes_in_period (mha_episodes_in_period.sql; the period is applied there).
-- Params:  none of its own.
-- Grain:   one row per (detention episode, detention category). Almost every detention has exactly
--          one row. An episode that follows tied episodes can have two detention categories (say C
--          and B), and one whose earliest admission day has two spells can have two spell rows; such
--          an episode has one row per distinct combination.
--          COUNT DETENTIONS AS COUNT(DISTINCT UniqMHActEpisodeID), never COUNT(*): an episode
--          counts once in the total, and once in each category it has (as published).
--
-- "All detentions" from MHSDS; NHS England's published total also adds detentions recorded only in
-- the Emergency Care Data Set, which are outside this logic.
-- Demographic breakdowns join MHS001MPI on Person_ID (one record per person in the data contract).

SELECT DISTINCT
    Person_ID,
    OrgIDProv,
    UniqMHActEpisodeID,
    LegalStatusCode,
    StartDateMHActLegalStatusClass,
    UniqHospProvSpellID,
    StartDateHospProvSpell,
    mha_category
FROM mha_episodes_in_period
WHERE mha_category IN ('A', 'B', 'C', 'D', 'P')
