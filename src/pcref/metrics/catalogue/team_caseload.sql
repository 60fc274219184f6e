/*
id: team_caseload
title: Team caseload profile
description: >
  Who each team sees, so that care plans and services can be personalised: the share of a
  team's caseload in each ethnic group, preferred language, interpreter need, religion or
  belief and disability group, beside the trust's. A team's caseload is the people with at
  least one attended care contact with the team in the period (attended on time or late but
  seen); each person counts once per team, in the month of their first attended contact with
  it. The trust's figures are the sum of its teams' caseloads: a person seen by two teams
  counts in both, as in the recording-quality (dq_*) metrics, so that every team's groups add
  up to the team and the teams add up to the trust. Contacts with no team recorded count for
  the person only if none of their contacts in the period names a team. The characteristics
  are as currently recorded in the extract; Not recorded is a recording gap (no code, or no
  record), Not stated an answer (asked and declined). A share is of its team (or, for the
  trust, of the Total); shares of one team add up to 100%. Neither a higher nor a lower share
  is better: compare a team with the trust and with the population it serves.
family: Access
unit: "%"
method: share
multiplier: 100
denominator: margin
statistics: [share of caseload]
breakdowns: [total, team, ethnicity_16, preferred_language, interpreter_need, religion, disability]
cross_breakdowns: [team x ethnicity_16, team x preferred_language, team x interpreter_need,
                   team x religion, team x disability]
improvement_direction: neutral
suppression: counts
sentence: were in the caseload
requires: [people_seen_by_team]
source: >
  PCREF DESIGN section 2 (team manager / clinician: their team's caseload profile - ethnicity,
  language, interpreter need, religion, disability - to personalise care plans); NHS England,
  Patient and Carer Race Equality Framework (2023), organisational competency 1 (data);
  Accessible Information Standard (DAPB1605). Caseload as in people_seen_by_team (MHS201CareContact,
  ATTENDED OR DID NOT ATTEND 5 or 6).
*/
SELECT
    Person_ID,
    event_date,
    team_id,
    'share of caseload' AS statistic,
    1 AS numerator
FROM people_seen_by_team
