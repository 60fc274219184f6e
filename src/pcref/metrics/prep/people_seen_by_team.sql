-- people_seen_by_team: the people each team saw in the period, the unit of the data-quality
-- metrics (dq_*_recorded).
--
-- Reads:   MHS201CareContact.
-- Params:  $period_start, $period_end (DATEs, inclusive).
-- Grain:   one row per (Person_ID, team_id); event_date is the first attended contact with the
--          team in the period. team_id is NULL only for a person none of whose attended contacts
--          in the period names a team.
WITH attended_contacts AS (
    -- Attended care contacts in the period: ATTENDED OR DID NOT ATTEND 5 or 6 (the attendance
    -- code list's attended == 'Y').
    SELECT
        Person_ID,
        UniqCareProfTeamID AS team_id,
        CareContDate,
        COUNT(UniqCareProfTeamID) OVER (PARTITION BY Person_ID) AS contacts_with_a_team
    FROM MHS201CareContact
    WHERE CareContDate BETWEEN $period_start AND $period_end
      AND AttendOrDNACode IN ('5', '6')
)

-- One row per person and team; a contact without a team only stands for itself when the
-- person has no contact with a named team in the period.
SELECT Person_ID, team_id, MIN(CareContDate) AS event_date
FROM attended_contacts
WHERE team_id IS NOT NULL OR contacts_with_a_team = 0
GROUP BY Person_ID, team_id
