/*
id: transition_engaged_12_months
title: Young people still engaged with adult services a year after transfer
description: >
  Of young people transferred from children's and young people's mental health services to the
  trust's adult services whose first anniversary of transfer fell in the period, the percentage
  still engaged with adult services: they attended at least one care contact (attendance codes
  5, 6) with adult services in the last three months of that first year, from 9 to 12 months
  after the transfer date, inclusive. The window ends on the anniversary, so every young person
  counted has a known outcome when the period closes; three months allows for the usual spacing of
  appointments. The contact can be on the referral they were transferred on or on a later referral
  to an adult team. Young people who never attended adult services count as not engaged, as do
  those discharged (for whatever reason) before the last three months. A transfer is an onward
  referral (MHS105) made when the young person was 17, from a referral a team took on to care
  for them (not a single point of access, A18, or a 24/7 crisis response line, A19, which only
  direct people elsewhere: a 17-year-old triaged by the single point of access to an adult team
  was never in children's services), followed within 90 days by a new referral for them to an
  adult team that did not reject it; the transfer date is the day adult services
  received that referral. "Adult" rests on age and team type, because most team types serve both
  children and adults: the new referral is not the one referred on from, its team is not one of
  that referral's teams, and the team's type is not children's-only (C05, C06, C07, D06, F01: code
  list team_type, service_area children_and_young_people); an onward referral recorded as going to
  such a team type is not a transfer. A move at 17 between two children's teams of an all-age type
  cannot be told apart and would count. Each young person counts once, at their first such
  transfer. Transfers to other providers are not counted. Age comes from the date of birth, or the
  age at the end of the extract's reporting period when that is all that is recorded. The team is
  the adult team first referred to.
family: Young people
unit: "% of young people transferred"
method: proportion
multiplier: 100
denominator: rows
breakdowns: [total, ethnicity_5, ethnicity_16, sex, imd_quintile, locality, team, quarter]
cross_breakdowns: [ethnicity_5 x sex]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: increase
suppression: counts
sentence: were still in contact with adult services a year after transfer
source: >
  NICE quality standard QS140 (Transition from children's to adults' services), outcome measure
  "proportion of young people who are still engaged with adult services 1 year after transfer";
  notes/pcref-requirements.md §6.2 and §7 item 5 (derive from MHS101, MHS102 and MHS105). Team
  types: code list team_type; attendance codes: code list attendance.
*/
WITH referrals_in_care AS (
    -- Referrals a team took on to care for the person, not only to direct them elsewhere: a
    -- team that did not reject it and is not a single point of access (A18) or a 24/7 crisis
    -- response line (A19) (code list team_type). A young person triaged by the single point of
    -- access to an adult team was never with children's services, so is not transferred.
    SELECT DISTINCT UniqServReqID
    FROM MHS102ServiceTypeReferredTo
    WHERE ServTeamTypeRefToMH NOT IN ('A18', 'A19')
      AND ReferRejectionDate IS NULL
),

onward_referrals AS (
    -- Onward referrals of young people aged 17 (age in whole years on the onward referral date;
    -- AgeRepPeriodEnd when no date of birth) from a referral in children's services' care, not
    -- to a children's-only team type.
    SELECT
        o.OnwardReferralID,
        o.Person_ID,
        o.UniqServReqID AS source_referral,
        o.OnwardReferDate
    FROM MHS105OnwardReferral AS o
    INNER JOIN referrals_in_care AS in_care
        ON in_care.UniqServReqID = o.UniqServReqID
    INNER JOIN MHS001MPI AS p
        ON p.Person_ID = o.Person_ID
    WHERE (o.ServTeamTypeRefToMH IS NULL
           OR o.ServTeamTypeRefToMH NOT IN ('C05', 'C06', 'C07', 'D06', 'F01'))
      AND CASE
            WHEN p.PersonBirthDate IS NOT NULL THEN
                EXTRACT(YEAR FROM o.OnwardReferDate) - EXTRACT(YEAR FROM p.PersonBirthDate)
                - CASE
                    WHEN EXTRACT(MONTH FROM o.OnwardReferDate) * 100
                        + EXTRACT(DAY FROM o.OnwardReferDate)
                        < EXTRACT(MONTH FROM p.PersonBirthDate) * 100
                        + EXTRACT(DAY FROM p.PersonBirthDate)
                    THEN 1 ELSE 0
                END
            ELSE p.AgeRepPeriodEnd
          END = 17
),

adult_team_referrals AS (
    -- Referrals to a team whose type is not children's-only (team_type service_area other than
    -- children_and_young_people) and which the team did not reject: one row per team.
    SELECT
        r.UniqServReqID,
        r.Person_ID,
        r.ReferralRequestReceivedDate,
        s.UniqCareProfTeamID
    FROM MHS101Referral AS r
    INNER JOIN MHS102ServiceTypeReferredTo AS s
        ON s.UniqServReqID = r.UniqServReqID
    WHERE s.ServTeamTypeRefToMH NOT IN ('C05', 'C06', 'C07', 'D06', 'F01')
      AND s.ReferRejectionDate IS NULL
),

adult_referrals_after_onward AS (
    -- For each onward referral, the person's later referrals to adult teams: another referral
    -- than the one referred on from, to a team that referral was not already with.
    SELECT
        o.OnwardReferralID,
        o.Person_ID,
        o.source_referral,
        o.OnwardReferDate,
        a.UniqServReqID AS adult_referral,
        a.ReferralRequestReceivedDate,
        a.UniqCareProfTeamID AS team_id
    FROM onward_referrals AS o
    INNER JOIN adult_team_referrals AS a
        ON a.Person_ID = o.Person_ID
       AND a.UniqServReqID <> o.source_referral
       AND a.ReferralRequestReceivedDate >= o.OnwardReferDate
    LEFT JOIN MHS102ServiceTypeReferredTo AS source_team
        ON source_team.UniqServReqID = o.source_referral
       AND source_team.UniqCareProfTeamID = a.UniqCareProfTeamID
    WHERE source_team.UniqServReqID IS NULL
),

transfers AS (
    -- One transfer per person: the first onward referral whose adult referral was received
    -- within 90 days of it; the transfer date is the day adult services received the referral.
    SELECT
        OnwardReferralID,
        Person_ID,
        source_referral,
        OnwardReferDate,
        adult_referral,
        ReferralRequestReceivedDate AS transfer_date,
        team_id
    FROM (
        SELECT
            *,
            ROW_NUMBER() OVER (
                PARTITION BY Person_ID
                ORDER BY OnwardReferDate, ReferralRequestReceivedDate, OnwardReferralID,
                    adult_referral, team_id
            ) AS pick
        FROM adult_referrals_after_onward
        WHERE ReferralRequestReceivedDate
            <= CAST(OnwardReferDate + INTERVAL 90 DAY AS DATE)
    ) AS candidates
    WHERE pick = 1
)
,

engaged AS (
    -- Attended contacts (5, 6: code list attendance) with adult services in the last three months
    -- of the first year after transfer, on any adult referral made since the onward referral.
    SELECT DISTINCT t.Person_ID
    FROM transfers AS t
    INNER JOIN adult_referrals_after_onward AS a
        ON a.OnwardReferralID = t.OnwardReferralID
    INNER JOIN MHS201CareContact AS c
        ON c.UniqServReqID = a.adult_referral
    WHERE c.AttendOrDNACode IN ('5', '6')
      AND c.CareContDate >= CAST(t.transfer_date + INTERVAL 9 MONTH AS DATE)
      AND c.CareContDate <= CAST(t.transfer_date + INTERVAL 12 MONTH AS DATE)
)

SELECT
    t.Person_ID,
    CAST(t.transfer_date + INTERVAL 12 MONTH AS DATE) AS event_date,
    CASE WHEN e.Person_ID IS NOT NULL THEN 1 ELSE 0 END AS numerator,
    1 AS denominator,
    t.team_id
FROM transfers AS t
LEFT JOIN engaged AS e
    ON e.Person_ID = t.Person_ID
WHERE CAST(t.transfer_date + INTERVAL 12 MONTH AS DATE) BETWEEN $period_start AND $period_end
