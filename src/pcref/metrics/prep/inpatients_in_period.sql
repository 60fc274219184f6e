-- inpatients_in_period: people on a ward on at least one day of the period, the denominator of
-- the restrictive-intervention percentages (ri_people_pct, ri_prone_restraint,
-- ri_rapid_tranquillisation, ri_seclusion).
--
-- Source:  NHSDigital/mental-health-monthly-statistics,
--          Restraints_v5_Apr2022_onwards/Restraints_Prep.py (RI_HOSPITAL_PERC).
-- Reads:   MHS502WardStay, MHS501HospProvSpell.
-- Params:  $period_start, $period_end (DATEs, inclusive).
-- Grain:   one row per Person_ID; first_inpatient_day is their first day on a ward in the period.
WITH

-- Ward stays with the day the person left the ward: the end date; if none, the discharge date of
-- the hospital spell; if none, the stay is still going.
ward_stays AS (
    SELECT
        w.Person_ID,
        w.StartDateWardStay,
        COALESCE(w.EndDateWardStay, s.DischDateHospProvSpell) AS left_ward
    FROM MHS502WardStay AS w
    LEFT JOIN MHS501HospProvSpell AS s
        ON s.UniqHospProvSpellID = w.UniqHospProvSpellID
)

SELECT
    Person_ID,
    MIN(GREATEST(StartDateWardStay, CAST($period_start AS DATE))) AS first_inpatient_day
FROM ward_stays
WHERE StartDateWardStay <= CAST($period_end AS DATE)
  AND (left_ward IS NULL OR left_ward >= CAST($period_start AS DATE))
GROUP BY Person_ID
