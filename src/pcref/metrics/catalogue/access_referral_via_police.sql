/*
id: access_referral_via_police
title: Referrals from the police
description: >
  The percentage of referrals received in the period (by the date the referral was received)
  whose source of referral is the police (SOURCE OF REFERRAL FOR MENTAL HEALTH SERVICES E1,
  Justice System: Police). Every referral received counts once in the denominator, including
  referrals with no source recorded, so gaps in recording lower the percentage rather than
  being left out. A person referred several times counts once per referral. For the team
  breakdown a referral belongs to the team it was sent to; when it was sent to several, the
  first team (in order of team identifier) that did not reject it, or the first of all if every
  team rejected it. Referrals with no team recorded still count in every other breakdown.
  Reaching mental health care through the police rather than a GP is a route PCREF asks trusts
  to compare between ethnic groups.
family: Access
unit: "%"
method: proportion
multiplier: 100
denominator: rows
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, team, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: were referred by the police
source: >
  NHS England, MHSDS Monthly Statistics: referrals starting in the reporting period (MHS32) by
  source of referral (MHS101 SourceOfReferralMH; the source_of_referral code list follows that
  code's groups, police = E1). PCREF DESIGN section 6 (Access: referral routes via police and
  criminal justice by ethnicity).
*/
WITH referrals AS (
    SELECT UniqServReqID, Person_ID, ReferralRequestReceivedDate, SourceOfReferralMH
    FROM MHS101Referral
    WHERE ReferralRequestReceivedDate BETWEEN $period_start AND $period_end
),
team_referred_to AS (
    -- One team per referral: teams that did not reject it first, then by team identifier.
    SELECT UniqServReqID, UniqCareProfTeamID
    FROM (
        SELECT
            UniqServReqID,
            UniqCareProfTeamID,
            ROW_NUMBER() OVER (
                PARTITION BY UniqServReqID
                ORDER BY
                    CASE WHEN ReferRejectionDate IS NULL THEN 0 ELSE 1 END,
                    UniqCareProfTeamID
            ) AS preference
        FROM MHS102ServiceTypeReferredTo
    ) AS ranked
    WHERE preference = 1
)
SELECT
    r.Person_ID,
    r.ReferralRequestReceivedDate AS event_date,
    t.UniqCareProfTeamID AS team_id,
    -- Police: the source_of_referral code list's police == 'Y'.
    CASE WHEN r.SourceOfReferralMH IN ('E1') THEN 1 ELSE 0 END AS numerator,
    1 AS denominator
FROM referrals AS r
LEFT JOIN team_referred_to AS t ON t.UniqServReqID = r.UniqServReqID
