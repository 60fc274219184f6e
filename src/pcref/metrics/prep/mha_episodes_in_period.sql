-- mha_episodes_in_period: NHS England's "detentions" preparation table — the classified rows of every
-- legal-status episode that STARTED in the reporting period, at the episode's earliest linked spell.
--
-- Source: NHSDigital/mental-health-act-annual-statistics at commit 44a5ccd4,
-- mha_code/Prep/Annual_Measures_Prep.py (the INSERT INTO detentions step); note
-- shared/notes/mha-detention-categories.md §5.
--
-- Reads:   mha_episodes (mha_episodes.sql).
-- Params:  $period_start, $period_end — DATEs, both inclusive (a financial year is 1 April to
--          31 March). Named parameters in DuckDB's $name syntax, bound by pcref.metrics.prep.mha;
--          SQLGlot writes them as Spark's :name markers.
-- Grain:   the rows of mha_episodes (§3.7 grain) whose episode starts in the period and whose spell
--          starts on the earliest admission date among the episode's linked spells.
--
-- Every category is kept (not only detentions): transfers (H), uses of s2/s3 (A, B, C, L) and the
-- length-of-detention preparation all read this table. Detentions themselves are in mha_detentions.
-- Episodes with no linked spell drop out here: their earliest admission date is missing and a
-- comparison with a missing value is never true (NHS England's prep test asserts no missing spell).
-- An episode that started before the period is never here, although it can be the previous
-- episode of one that is.

WITH

episodes_starting_in_period AS (
    SELECT
        e.*,
        MIN(StartDateHospProvSpell) OVER (PARTITION BY UniqMHActEpisodeID) AS earliest_admission_date
    FROM mha_episodes AS e
    WHERE StartDateMHActLegalStatusClass
          BETWEEN CAST($period_start AS DATE) AND CAST($period_end AS DATE)
)

SELECT
    Person_ID,
    OrgIDProv,
    UniqMHActEpisodeID,
    LegalStatusCode,
    StartDateMHActLegalStatusClass,
    StartTimeMHActLegalStatusClass,
    ExpiryDateMHActLegalStatusClass,
    EndDateMHActLegalStatusClass,
    EndTimeMHActLegalStatusClass,
    UniqHospProvSpellID,
    StartDateHospProvSpell,
    StartTimeHospProvSpell,
    DischDateHospProvSpell,
    DischTimeHospProvSpell,
    MethAdmMHHospProvSpell,
    PrevDestOfDischHospProvSpell,
    episode_order_in_spell,
    PrevUniqMHActEpisodeID,
    PrevLegalStatusCode,
    PrevStartDateMHActLegalStatusClass,
    PrevEndDateMHActLegalStatusClass,
    MHS404UniqID,
    StartDateCommTreatOrd,
    EndDateCommTreatOrd,
    CommTreatOrdEndReason,
    mha_category
FROM episodes_starting_in_period
WHERE StartDateHospProvSpell = earliest_admission_date
