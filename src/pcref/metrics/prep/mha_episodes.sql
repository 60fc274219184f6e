-- mha_episodes: every Mental Health Act legal-status episode classified into NHS England's
-- categories A–P and N, exactly as the Mental Health Act annual statistics do it.
--
-- Source of the rules: NHS England, "Mental Health Act Statistics, Annual Figures" analysis code,
-- repository NHSDigital/mental-health-act-annual-statistics at commit 44a5ccd4 (2024-25
-- publication, with the July 2025 fix to the brackets of rule B), file
-- mha-annual-main/mha_code/Prep/Annual_Measures_Prep.py; described rule by rule in
-- shared/notes/mha-detention-categories.md (§3 preparation, §4 classification). Section numbers
-- in the comments below refer to that note. Plain-English account: docs/mha-detention-classification.md.
--
-- Reads:   MHS401MHActPeriod, MHS404CommTreatOrder, MHS501HospProvSpell (data-contract names).
-- Params:  none. Every episode in the warehouse is classified; reporting periods are applied later
--          (mha_episodes_in_period.sql), so an episode that started before a year can still be the
--          previous episode of one that started in it.
-- Grain:   one row per (episode, linked hospital spell or none, previous episode in that spell or
--          none, attached revoked CTO or none) — §3.7. An episode linked to two spells has two
--          rows; an episode that follows tied episodes has one row per tied episode. In the rare case
--          where a spell follows two spells tied in the person's spell order, it also has one row
--          per tied previous spell (PrevDestOfDischHospProvSpell), as in the published code.
--          Episodes dropped as duplicates (§3.4) have no rows at all.
-- Output:  the episode, spell, previous-episode and CTO fields the rules read, and mha_category
--          (NULL for informal episodes, code 01; otherwise one of A B C D E F G H J K L M P N).
--
-- Differences forced by the data contract (it holds one version of each record and has no
-- RecordStartDate or UniqMonthID): every tie-break on those fields is skipped and the next
-- tie-break decides (§3.1 CTO versions, §3.2 spell versions and spell order, §3.4 duplicate
-- episodes). Where no further tie-break exists (the person's spell order), tied spells share a rank.
--
-- Portability: written in DuckDB SQL that SQLGlot transpiles to Spark SQL. NULL ordering is always
-- spelled out, because Spark (which the published code ran on) sorts NULLs first when ascending and
-- last when descending, while DuckDB sorts them last either way.

WITH

-- §3.1 CTO records: one per (person, provider, CTO start date). Ties go to a record WITH an end date,
-- then the latest end date, then the highest MHS404UniqID. The published code's comment says open CTOs
-- were meant to win; the code gives priority to closed ones, and that is what is implemented here.
-- (RecordStartDate DESC, the first published tie-break, is not in the contract.) The end-reason filter
-- comes after this de-duplication, as published, so a non-revoked record can displace a revoked one.
cto_versions AS (
    SELECT
        MHS404UniqID,
        UniqMHActEpisodeID,
        StartDateCommTreatOrd,
        EndDateCommTreatOrd,
        CommTreatOrdEndReason,
        DENSE_RANK() OVER (
            PARTITION BY Person_ID, OrgIDProv, StartDateCommTreatOrd
            ORDER BY
                CASE WHEN EndDateCommTreatOrd IS NOT NULL THEN 2 ELSE 1 END DESC,
                EndDateCommTreatOrd DESC NULLS LAST,
                MHS404UniqID DESC NULLS LAST
        ) AS cto_version_rank
    FROM MHS404CommTreatOrder
),

-- Only revoked CTOs (end reason 02) take part in the classification (rules B, D and P).
revoked_ctos AS (
    SELECT
        MHS404UniqID,
        UniqMHActEpisodeID,
        StartDateCommTreatOrd,
        EndDateCommTreatOrd,
        CommTreatOrdEndReason
    FROM cto_versions
    WHERE cto_version_rank = 1
      AND CommTreatOrdEndReason = '02'
),

-- §3.2 Spells: one per (person, provider, admission date, discharge date), keeping the highest spell
-- identifier (the latest UniqMonthID, the published first tie-break, is not in the contract).
spell_versions AS (
    SELECT
        s.*,
        DENSE_RANK() OVER (
            PARTITION BY Person_ID, OrgIDProv, StartDateHospProvSpell, DischDateHospProvSpell
            ORDER BY UniqHospProvSpellID DESC NULLS LAST
        ) AS spell_version_rank
    FROM MHS501HospProvSpell AS s
),

-- §3.2 The person's spells at ALL providers in order: admission date, admission time (missing
-- first), discharged spells before open ones, discharge date, discharge time (missing first).
-- Dense ranking: spells tied on every key share a rank.
spells_in_order AS (
    SELECT
        Person_ID,
        OrgIDProv,
        UniqHospProvSpellID,
        StartDateHospProvSpell,
        StartTimeHospProvSpell,
        DischDateHospProvSpell,
        DischTimeHospProvSpell,
        MethAdmMHHospProvSpell,
        DestOfDischHospProvSpell,
        DENSE_RANK() OVER (
            PARTITION BY Person_ID
            ORDER BY
                StartDateHospProvSpell ASC NULLS FIRST,
                StartTimeHospProvSpell ASC NULLS FIRST,
                CASE WHEN DischDateHospProvSpell IS NOT NULL THEN 1 ELSE 2 END ASC,
                DischDateHospProvSpell ASC NULLS FIRST,
                DischTimeHospProvSpell ASC NULLS FIRST
        ) AS spell_order
    FROM spell_versions
    WHERE spell_version_rank = 1
),

-- prev_dest: the discharge destination of the spell ranked immediately before (used by rule H).
spells AS (
    SELECT
        s.*,
        p.DestOfDischHospProvSpell AS PrevDestOfDischHospProvSpell
    FROM spells_in_order AS s
    LEFT JOIN spells_in_order AS p
        ON p.Person_ID = s.Person_ID
       AND p.spell_order = s.spell_order - 1
),

-- §3.4 Duplicate episodes: per (person, provider, start date, legal status code) only one survives:
-- the latest expiry date, then the latest end date (an episode with an end date beats an open one),
-- then the highest UniqMHActEpisodeID. (RecordStartDate DESC, the first published tie-break, is not
-- in the contract.) The others are dropped entirely: no category, and never a previous episode.
episode_versions AS (
    SELECT
        e.*,
        DENSE_RANK() OVER (
            PARTITION BY Person_ID, OrgIDProv, StartDateMHActLegalStatusClass, LegalStatusCode
            ORDER BY
                ExpiryDateMHActLegalStatusClass DESC NULLS LAST,
                EndDateMHActLegalStatusClass DESC NULLS LAST,
                UniqMHActEpisodeID DESC NULLS LAST
        ) AS episode_version_rank
    FROM MHS401MHActPeriod AS e
),

episodes AS (
    SELECT
        Person_ID,
        OrgIDProv,
        UniqMHActEpisodeID,
        LegalStatusCode,
        StartDateMHActLegalStatusClass,
        StartTimeMHActLegalStatusClass,
        ExpiryDateMHActLegalStatusClass,
        EndDateMHActLegalStatusClass,
        EndTimeMHActLegalStatusClass
    FROM episode_versions
    WHERE episode_version_rank = 1
),

-- §3.3 Link each episode to every spell of the same person AT THE SAME PROVIDER unless a rejection
-- test is definitely true. A missing date never rejects (a comparison with NULL is not TRUE), so an
-- open episode links to any later spell unless its expiry date is before that spell's admission.
-- Inclusive at both ends: an episode ending on the admission day is linked, one ending the day
-- before is not. An episode with no linked spell keeps one row with no spell. An s135/s136 left
-- with neither end nor expiry date therefore links to a later admission at the provider and becomes
-- the previous episode of the s2/s3 there, which then falls to N (note §9.20). (The published code
-- also labels each link DOA/DSA/TOS; no rule reads those labels, so they are not computed here.)
episode_spell_links AS (
    SELECT
        e.*,
        s.UniqHospProvSpellID,
        s.StartDateHospProvSpell,
        s.StartTimeHospProvSpell,
        s.DischDateHospProvSpell,
        s.DischTimeHospProvSpell,
        s.MethAdmMHHospProvSpell,
        s.PrevDestOfDischHospProvSpell
    FROM episodes AS e
    LEFT JOIN spells AS s
        ON s.Person_ID = e.Person_ID
       AND s.OrgIDProv = e.OrgIDProv
       AND CASE
               -- the spell starts after the episode ended, or after it expired
               WHEN s.StartDateHospProvSpell > e.EndDateMHActLegalStatusClass THEN FALSE
               WHEN s.StartDateHospProvSpell > e.ExpiryDateMHActLegalStatusClass THEN FALSE
               -- the episode starts on the discharge day, later than the discharge time
               WHEN e.StartDateMHActLegalStatusClass = s.DischDateHospProvSpell
                    AND e.StartTimeMHActLegalStatusClass > s.DischTimeHospProvSpell THEN FALSE
               -- the spell was discharged before the episode started
               WHEN s.DischDateHospProvSpell < e.StartDateMHActLegalStatusClass THEN FALSE
               ELSE TRUE
           END
),

-- §3.5 Order within each (person, spell), dense-ranked: start date, start time (missing first),
-- open episodes before closed ones, end date, episodes without an end time first, end time.
-- Published ordering artefact (note §9.9): the "previous" episode can be one that clinically came
-- later — e.g. an s136 closed on the admission day sorts after an s2 left open from that day.
-- Episodes without a spell are ranked together too, but the previous-episode join below never
-- matches a missing spell, so they never have a previous episode.
episodes_in_spell_order AS (
    SELECT
        l.*,
        DENSE_RANK() OVER (
            PARTITION BY Person_ID, UniqHospProvSpellID
            ORDER BY
                StartDateMHActLegalStatusClass ASC NULLS FIRST,
                StartTimeMHActLegalStatusClass ASC NULLS FIRST,
                CASE WHEN EndDateMHActLegalStatusClass IS NULL THEN 1 ELSE 2 END ASC,
                EndDateMHActLegalStatusClass ASC NULLS FIRST,
                CASE WHEN EndTimeMHActLegalStatusClass IS NULL THEN 1 ELSE 2 END ASC,
                EndTimeMHActLegalStatusClass ASC NULLS FIRST
        ) AS episode_order_in_spell
    FROM episode_spell_links AS l
),

-- §3.5 The previous episode is every episode ranked immediately before in the same spell: never across
-- spells or providers. After a tie, one row per tied episode.
-- §3.6 A revoked CTO is attached if it belongs to the previous episode (preferred) or to the episode
-- itself, started strictly before the admission, and ended strictly after it or has no end date.
-- A CTO that ended on the admission day is NOT attached. The choice is field by field, as published:
-- a field empty on the previous episode's CTO is taken from the episode's own CTO.
classification_rows AS (
    SELECT DISTINCT
        r.Person_ID,
        r.OrgIDProv,
        r.UniqMHActEpisodeID,
        r.LegalStatusCode,
        r.StartDateMHActLegalStatusClass,
        r.StartTimeMHActLegalStatusClass,
        r.ExpiryDateMHActLegalStatusClass,
        r.EndDateMHActLegalStatusClass,
        r.EndTimeMHActLegalStatusClass,
        r.UniqHospProvSpellID,
        r.StartDateHospProvSpell,
        r.StartTimeHospProvSpell,
        r.DischDateHospProvSpell,
        r.DischTimeHospProvSpell,
        r.MethAdmMHHospProvSpell,
        r.PrevDestOfDischHospProvSpell,
        r.episode_order_in_spell,
        p.UniqMHActEpisodeID AS PrevUniqMHActEpisodeID,
        p.LegalStatusCode AS PrevLegalStatusCode,
        p.StartDateMHActLegalStatusClass AS PrevStartDateMHActLegalStatusClass,
        p.EndDateMHActLegalStatusClass AS PrevEndDateMHActLegalStatusClass,
        COALESCE(prev_cto.MHS404UniqID, own_cto.MHS404UniqID) AS MHS404UniqID,
        COALESCE(prev_cto.StartDateCommTreatOrd, own_cto.StartDateCommTreatOrd)
            AS StartDateCommTreatOrd,
        COALESCE(prev_cto.EndDateCommTreatOrd, own_cto.EndDateCommTreatOrd) AS EndDateCommTreatOrd,
        COALESCE(prev_cto.CommTreatOrdEndReason, own_cto.CommTreatOrdEndReason)
            AS CommTreatOrdEndReason
    FROM episodes_in_spell_order AS r
    LEFT JOIN episodes_in_spell_order AS p
        ON p.Person_ID = r.Person_ID
       AND p.UniqHospProvSpellID = r.UniqHospProvSpellID
       AND p.episode_order_in_spell = r.episode_order_in_spell - 1
    LEFT JOIN revoked_ctos AS prev_cto
        ON prev_cto.UniqMHActEpisodeID = p.UniqMHActEpisodeID
       AND prev_cto.StartDateCommTreatOrd < r.StartDateHospProvSpell
       AND (prev_cto.EndDateCommTreatOrd > r.StartDateHospProvSpell
            OR prev_cto.EndDateCommTreatOrd IS NULL)
    LEFT JOIN revoked_ctos AS own_cto
        ON own_cto.UniqMHActEpisodeID = r.UniqMHActEpisodeID
       AND own_cto.StartDateCommTreatOrd < r.StartDateHospProvSpell
       AND (own_cto.EndDateCommTreatOrd > r.StartDateHospProvSpell
            OR own_cto.EndDateCommTreatOrd IS NULL)
),

-- The note's notation (§2), so each rule below reads as written there.
notation AS (
    SELECT
        c.*,
        LegalStatusCode AS code,
        StartDateMHActLegalStatusClass AS start_date,
        StartTimeMHActLegalStatusClass AS start_time,
        EndDateMHActLegalStatusClass AS end_date,
        StartDateHospProvSpell AS adm_date,
        StartTimeHospProvSpell AS adm_time,
        MethAdmMHHospProvSpell AS method,
        PrevDestOfDischHospProvSpell AS prev_dest,
        PrevLegalStatusCode AS p_code,
        PrevStartDateMHActLegalStatusClass AS p_start,
        PrevEndDateMHActLegalStatusClass AS p_end,
        MHS404UniqID AS cto_id,
        StartDateCommTreatOrd AS cto_start,
        EndDateCommTreatOrd AS cto_end,
        CommTreatOrdEndReason AS cto_reason,
        -- "CTO clear": no revoked CTO attached, or it ended earlier than the day before the episode
        -- started. Never NULL (start_date is required), so it can be factored out of rules B and P.
        CASE
            WHEN MHS404UniqID IS NULL THEN TRUE
            WHEN EndDateCommTreatOrd IS NOT NULL
                 AND EndDateCommTreatOrd < StartDateMHActLegalStatusClass - INTERVAL 1 DAY THEN TRUE
            ELSE FALSE
        END AS cto_clear
    FROM classification_rows AS c
)

-- §4 Classification (MHA_Logic_Cat_full): the FIRST true test gives the category. A comparison with
-- a missing value is never true (SQL's three-valued logic; the conditions contain no negation), so a
-- missing value can only satisfy the explicit IS NULL tests, exactly as in the published code.
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
    CASE
        -- 0. Informal: no category.
        WHEN code = '01' THEN NULL

        -- 1. A, detention on admission: s2/s3 starting on the admission day, not later than the
        --    admission time when both times are known, with no previous episode or an informal one.
        --    Published quirk (note §9.1): the "more than one day since the previous episode ended"
        --    clause can never be true, because a linked previous episode ends on or after admission.
        WHEN code IN ('02', '03')
             AND start_date = adm_date
             AND (start_time <= adm_time OR adm_time IS NULL OR start_time IS NULL)
             AND (p_code IS NULL OR p_code = '01' OR date_diff('day', p_end, adm_date) > 1)
            THEN 'A'

        -- 2. A: s2 starting on or up to 5 days after an emergency admission via the A&E department
        --    of another provider (admission method 2A). No condition on previous episode or CTO.
        WHEN code = '02'
             AND adm_date BETWEEN start_date - INTERVAL 5 DAY AND start_date
             AND method = '2A'
            THEN 'A'

        -- 3. B, detention subsequent to admission: s2/s3 starting after admission (a later day, later
        --    the same day, or the same day with a time missing), CTO clear, and the previous episode
        --    ended strictly before, or was s4/5(2)/5(4) ending that day or the day before.
        --    (The July 2025 bracket fix: with no spell, adm_date is NULL and B cannot apply.)
        --    Published quirks: a previous episode that ended the DAY BEFORE satisfies
        --    "p_end < start_date", so s136 -> s2, s2 -> s3 and s3 -> s3 one day apart are B (a new
        --    detention) although the same successions on the same day are C, L and G (note §9.2);
        --    an informal episode ending on the day a later-than-admission s2/s3 starts matches
        --    nothing and the section is N (§9.3); a revoked CTO that ended two or more days before
        --    the section counts as clear, so B wins over D (§9.4).
        WHEN code IN ('02', '03')
             AND (
                 (adm_date = start_date
                  AND (adm_time < start_time OR adm_time IS NULL OR start_time IS NULL))
                 OR start_date > adm_date
             )
             AND (
                 p_code IS NULL
                 OR p_end < start_date
                 OR (p_code IN ('04', '05', '06')
                     AND (p_end = start_date OR p_end = start_date - INTERVAL 1 DAY))
             )
             AND cto_clear
            THEN 'B'

        -- 4. C, detention following a place of safety order: s2/s3 after s135/s136 in the same spell,
        --    starting on the PoS end day, the day after it, or the PoS start day.
        WHEN code IN ('02', '03')
             AND (start_date = p_end
                  OR start_date = p_end + INTERVAL 1 DAY
                  OR start_date = p_start)
             AND p_code IN ('19', '20')
             AND (adm_date = start_date OR adm_date >= p_start OR start_date = p_end)
            THEN 'C'

        -- 5. D, detention following revocation of a CTO: (a) s3/s37/s37-41/s47/s47-49 with a revoked
        --    CTO attached that is open or ended no later than the day after the start; or (b) s3
        --    recorded as starting before admission, the CTO ending between the day before and two
        --    days after admission. CommTreatOrdEndReason = '02' is how the published code tests
        --    "a CTO is attached" (only revoked CTOs are attached). Conditional discharge (MHS403) is
        --    never used, although NHS England's label mentions it (note §9.5).
        WHEN (code IN ('03', '09', '10', '15', '16')
              AND (start_date >= cto_end - INTERVAL 1 DAY OR cto_end IS NULL)
              AND cto_reason = '02'
              AND (adm_date = start_date OR adm_date >= cto_start))
             OR (code = '03'
                 AND cto_reason = '02'
                 AND start_date < adm_date
                 AND cto_end BETWEEN adm_date - INTERVAL 1 DAY AND adm_date + INTERVAL 2 DAY)
            THEN 'D'

        -- 6. E, place of safety order (s135/s136): no previous episode, an informal one, or one that
        --    ended before it started. No spell needed.
        WHEN code IN ('19', '20')
             AND (p_start IS NULL OR p_code = '01' OR p_end < start_date)
            THEN 'E'

        -- 7. F, other short-term holding order: s4/5(2)/5(4) on the admission day, or 5(2)/5(4) on or
        --    after it, with no previous episode, or one that ended by then, or an informal one, or an
        --    s2/s3 that ended that day.
        WHEN ((code IN ('04', '05', '06') AND start_date = adm_date)
              OR (code IN ('05', '06') AND start_date >= adm_date))
             AND (p_code IS NULL
                  OR p_end <= start_date
                  OR p_code = '01'
                  OR (p_code IN ('02', '03') AND p_end = start_date))
            THEN 'F'

        -- 8. G, renewal: the same code again after admission, starting on the day the previous one
        --    ended or the day after (or the previous one has no end date).
        WHEN code IN ('03', '07', '08', '09', '10', '12', '15', '16', '17', '18')
             AND start_date > adm_date
             AND code = p_code
             AND (start_date BETWEEN p_end AND p_end + INTERVAL 1 DAY OR p_end IS NULL)
            THEN 'G'

        -- 9. H, transfer on section: a section recorded as starting before the admission, admitted
        --    by transfer (81, 2B) or as elective/court (11, 12, 13), or whose previous spell ended
        --    with discharge to another hospital (49–53, 87). A transfer the receiving provider
        --    records with a new start date on the admission day is A instead, and counted at both
        --    providers (note §9.11). s45A codes 37 and 38 are in neither this list nor G's or P's,
        --    so they are always N (§9.8).
        WHEN code IN ('02', '03', '07', '08', '09', '10', '12', '13', '14', '15', '16', '17', '18',
                      '31', '32', '34')
             AND adm_date > start_date
             AND (method IN ('81', '2B', '11', '12', '13')
                  OR prev_dest IN ('49', '50', '51', '52', '53', '87'))
            THEN 'H'

        -- 10. J, 5(2) subsequent to 5(4). Mostly shadowed by F: J is reached only when the 5(4)
        --     ends after the 5(2) starts or has no end date (note §9.6).
        WHEN code = '05'
             AND start_date >= adm_date
             AND p_code = '06'
             AND start_date >= p_start
             AND (p_end IS NULL OR p_end <= end_date OR end_date IS NULL)
            THEN 'J'

        -- 11. K, s37 subsequent to s35.
        WHEN code = '10'
             AND start_date >= adm_date
             AND p_code = '07'
             AND (p_end IS NULL OR start_date = p_end OR start_date = p_end + INTERVAL 1 DAY)
            THEN 'K'

        -- 12. L, s3 subsequent to s2.
        WHEN code = '03'
             AND start_date >= adm_date
             AND p_code = '02'
             AND (p_end IS NULL OR start_date = p_end OR start_date = p_end + INTERVAL 1 DAY)
            THEN 'L'

        -- 13. M, guardianship (s7, s37 guardianship). No spell needed.
        WHEN code IN ('35', '36')
            THEN 'M'

        -- 14. P, criminal justice admission: a court or prison order starting no later than the
        --     admission (in practice on the admission day: earlier ones are caught by H) and still in
        --     force at admission, elective/court admission method, after nothing or after a civil
        --     episode that had ended, CTO clear.
        WHEN code IN ('07', '08', '09', '10', '12', '13', '14', '15', '16', '17', '18', '31', '32',
                      '34')
             AND start_date <= adm_date
             AND (end_date IS NULL OR end_date >= adm_date)
             AND method IN ('11', '12', '13')
             AND (p_code IS NULL
                  OR (p_code IN ('01', '02', '03', '04', '05', '06')
                      AND (p_end IS NULL OR p_end <= start_date)))
             AND cto_clear
            THEN 'P'

        -- 15. N, inconsistent value: everything else, including codes 33, 37, 38, 98, 99 and any
        --     episode without a spell that is not E or M.
        ELSE 'N'
    END AS mha_category
FROM notation
