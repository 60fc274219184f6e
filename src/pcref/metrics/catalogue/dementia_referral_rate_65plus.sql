/*
id: dementia_referral_rate_65plus
title: Referrals to memory assessment services, people aged 65 and over
description: >
  People aged 65 and over referred to the trust's memory assessment services in the period, per
  100,000 usual residents aged 65 and over. A person counts once however many memory-service
  referrals they had in the period, on the date of the first; they count if they were 65 or over
  on that date. A memory-service referral is a referral sent to a team of type A17 (memory
  services, clinic or drop-in) or A15 (young onset dementia), the team types the code list
  team_type groups as "memory". The referral reason is not used: 08 "organic brain disorder" is
  optional, also used for referrals to other older people's teams, and not every memory referral
  carries it. Referrals count when received, whatever happened to them next (including
  rejection). The rate is given crude and directly standardised within 65 and over: ethnic
  groups' ages differ a lot after 65 (White British people are older) and referrals rise
  steeply with age, so the standardised rate weights each sex and five-year band 65-69,
  70-74, 75-79, 80-84, 85-89 and 90+ by the European Standard Population 2013 (NHS England's
  six bands would put everyone over 65 in one band and adjust for sex only). Compare groups by
  the standardised rate. Age
  comes from the date of birth; when only the age at the end of the extract's reporting period
  is recorded, that age is used. People whose age is not recorded are left out.
family: Dementia
unit: per 100,000 population aged 65+
method: rate
multiplier: 100000
standardise: esp2013
denominator: population
population_min_age: 65
breakdowns: [total, ethnicity_5, ethnicity_16, sex, locality, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: neutral
suppression: counts
sentence: were referred to memory assessment services
source: >
  Project requirements (notes/pcref-requirements.md §6 "Dementia: memory-assessment referrals per
  100,000 aged 65+"; §7 item 4). Memory-service team types A15 and A17: NHS Data Dictionary SERVICE
  OR TEAM TYPE REFERRED TO (MENTAL HEALTH), code list team_type (service_area = memory). Population
  rate method and directly standardised rate as NHS England's Mental Health Act statistics
  (binomial variance, normal-approximation limits), on the European Standard Population 2013
  (Eurostat 2013; its 65-69 … 90+ bands).
*/
WITH memory_referrals AS (
    -- Referrals sent to at least one memory-service team (team_type service_area = memory).
    SELECT DISTINCT
        r.UniqServReqID,
        r.Person_ID,
        r.ReferralRequestReceivedDate
    FROM MHS101Referral AS r
    INNER JOIN MHS102ServiceTypeReferredTo AS s
        ON s.UniqServReqID = r.UniqServReqID
    WHERE s.ServTeamTypeRefToMH IN ('A15', 'A17')
      AND r.ReferralRequestReceivedDate BETWEEN $period_start AND $period_end
),

referrals_with_age AS (
    -- Age in whole years on the referral date; AgeRepPeriodEnd when no date of birth.
    SELECT
        m.Person_ID,
        m.ReferralRequestReceivedDate,
        CASE
            WHEN p.PersonBirthDate IS NOT NULL THEN
                EXTRACT(YEAR FROM m.ReferralRequestReceivedDate)
                - EXTRACT(YEAR FROM p.PersonBirthDate)
                - CASE
                    WHEN EXTRACT(MONTH FROM m.ReferralRequestReceivedDate) * 100
                        + EXTRACT(DAY FROM m.ReferralRequestReceivedDate)
                        < EXTRACT(MONTH FROM p.PersonBirthDate) * 100
                        + EXTRACT(DAY FROM p.PersonBirthDate)
                    THEN 1 ELSE 0
                END
            ELSE p.AgeRepPeriodEnd
        END AS age
    FROM memory_referrals AS m
    INNER JOIN MHS001MPI AS p
        ON p.Person_ID = m.Person_ID
)

SELECT
    Person_ID,
    MIN(ReferralRequestReceivedDate) AS event_date,
    1 AS numerator
FROM referrals_with_age
WHERE age >= 65
GROUP BY Person_ID
