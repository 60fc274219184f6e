/*
id: transition_first_adult_appointment
title: Young people moving to adult services who attended their first adult appointment
description: >
  Of young people transferred from children's and young people's mental health services to the
  trust's adult services whose first adult appointment fell in the period, the percentage who
  attended it (NICE QS140 outcome: the share who miss their first appointment with adult
  services is 100 minus this). A transfer is an onward referral (MHS105) made when the young
  person was 17 (in the year before their 18th birthday, when adult services take referrals),
  from a referral a team took on to care for them (not a single point of access, A18, or a 24/7
  crisis response line, A19, which only direct people elsewhere: a 17-year-old triaged by the
  single point of access to an adult team was never in children's services), followed within 90
  days by a new referral for them to an adult team that did not reject it. The
  data set cannot always tell a children's team from an adult one - most team types (community
  teams, eating disorders, early intervention) serve both - so "adult" rests on age and team type:
  the new referral is not the one referred on from, its team is not one of that referral's teams,
  and the team's type is not one that serves only children and young people (C05, C06, C07, D06,
  F01: code list team_type, service_area children_and_young_people); an onward referral recorded
  as going to such a team type is not a transfer. A move at 17 between two children's teams of an
  all-age type (say, to a children's eating disorder team) cannot be told apart and would count.
  Each young person counts once, at their first such transfer. The first adult appointment is
  the first care contact on the adult referral, on or after the day adult services received it,
  that was attended (attendance codes 5, 6) or missed (3, 7); cancelled appointments and ones
  with no attendance code are passed over, and on a day with several, an attended one counts.
  Transfers to other providers, and transfers with no appointment yet, are not counted. Age comes
  from the date of birth, or the age at the end of the extract's reporting period when that is all
  that is recorded. The team is the adult team referred to.
family: Young people
unit: "% of first appointments"
method: proportion
multiplier: 100
denominator: rows
breakdowns: [total, ethnicity_5, ethnicity_16, sex, imd_quintile, locality, team, quarter]
cross_breakdowns: [ethnicity_5 x sex]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: increase
suppression: counts
sentence: attended their first appointment with adult services
source: >
  NICE quality standard QS140 (Transition from children's to adults' services), outcome measure
  "proportion of young people who did not attend their first appointment with adult services";
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

first_adult_appointments AS (
    -- Appointments on the adult referral that were attended (5, 6) or missed (3, 7): code list
    -- attendance. Cancellations (2, 4) and blank codes are neither, so are passed over. On a day
    -- with several, an attended one comes first.
    SELECT
        t.Person_ID,
        t.team_id,
        c.CareContDate,
        CASE WHEN c.AttendOrDNACode IN ('5', '6') THEN 1 ELSE 0 END AS attended,
        ROW_NUMBER() OVER (
            PARTITION BY t.Person_ID
            ORDER BY
                c.CareContDate,
                CASE WHEN c.AttendOrDNACode IN ('5', '6') THEN 0 ELSE 1 END,
                c.UniqCareContID
        ) AS pick
    FROM transfers AS t
    INNER JOIN MHS201CareContact AS c
        ON c.UniqServReqID = t.adult_referral
    WHERE c.AttendOrDNACode IN ('3', '5', '6', '7')
      AND c.CareContDate >= t.transfer_date
)

SELECT
    Person_ID,
    CareContDate AS event_date,
    attended AS numerator,
    1 AS denominator,
    team_id
FROM first_adult_appointments
WHERE pick = 1
  AND CareContDate BETWEEN $period_start AND $period_end
