-- neurodevelopmental_referrals: referrals for suspected autism or another neurodevelopmental
-- condition, with the first attended contact and the team, for the neurodevelopmental waiting
-- metrics (neurodev_assessed_within_13_weeks, neurodev_wait_median_weeks). Each metric applies
-- the period to its own date (13 weeks after referral; the first contact).
--
-- Source:  NHS England, Autism Waiting Time Statistics from MHSDS (referral with
--          PrimReasonReferralMH 25 to first care contact, referrals with an inpatient stay
--          excluded); notes/pcref-requirements.md §6.3. Reason codes: code list referral_reason.
-- Reads:   MHS101Referral, MHS501HospProvSpell, MHS201CareContact, MHS102ServiceTypeReferredTo.
-- Params:  none.
-- Grain:   one row per referral (UniqServReqID); first_contact_date and team_id may be NULL.
WITH referrals AS (
    -- Reasons 25 suspected autism and 24 neurodevelopmental excluding autism (referral_reason).
    SELECT
        r.UniqServReqID,
        r.Person_ID,
        r.ReferralRequestReceivedDate AS referral_date,
        CASE WHEN r.PrimReasonReferralMH = '25' THEN 'autism' ELSE 'adhd_and_other' END
            AS statistic
    FROM MHS101Referral AS r
    LEFT JOIN (SELECT DISTINCT UniqServReqID FROM MHS501HospProvSpell) AS admitted
        ON admitted.UniqServReqID = r.UniqServReqID
    WHERE r.PrimReasonReferralMH IN ('24', '25')
      AND admitted.UniqServReqID IS NULL
),

first_attended_contact AS (
    -- Attended (codes 5, 6 in code list attendance) on or after the referral date.
    SELECT n.UniqServReqID, MIN(c.CareContDate) AS first_contact_date
    FROM referrals AS n
    INNER JOIN MHS201CareContact AS c
        ON c.UniqServReqID = n.UniqServReqID
    WHERE c.AttendOrDNACode IN ('5', '6')
      AND c.CareContDate >= n.referral_date
    GROUP BY n.UniqServReqID
),

referral_team AS (
    -- One team per referral: neurodevelopmental teams (C01, C04) first, then by identifier.
    SELECT
        UniqServReqID,
        UniqCareProfTeamID AS team_id,
        ROW_NUMBER() OVER (
            PARTITION BY UniqServReqID
            ORDER BY
                CASE WHEN ServTeamTypeRefToMH IN ('C01', 'C04') THEN 0 ELSE 1 END,
                UniqCareProfTeamID
        ) AS pick
    FROM MHS102ServiceTypeReferredTo
)

SELECT
    n.UniqServReqID,
    n.Person_ID,
    n.referral_date,
    n.statistic,
    f.first_contact_date,
    t.team_id
FROM referrals AS n
LEFT JOIN first_attended_contact AS f
    ON f.UniqServReqID = n.UniqServReqID
LEFT JOIN referral_team AS t
    ON t.UniqServReqID = n.UniqServReqID
   AND t.pick = 1
