/*
id: access_people_in_contact
title: People in contact with mental health services
description: >
  People seen by the trust's mental health services in the period, per 100,000 usual
  residents: crude, and directly standardised for sex and age (NHS England's method). A person
  counts once, however many contacts or teams they had, if they attended at least one care
  contact dated in the period (attended on time or late but seen; appointments not attended,
  cancelled or with no attendance recorded do not count). The person is placed in the month and
  quarter of their first attended contact in the period, and their age is taken on that date.
  This counts people actually seen, so it is lower than NHS England's "people in contact"
  figures, which count everyone with a referral open to services. Neither a higher nor a lower
  rate is better in itself: the comparison between ethnic groups is the point.
family: Access
unit: per 100,000 population
method: rate
multiplier: 100000
standardise: true
denominator: population
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, locality, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band, ethnicity_5 x quarter]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: neutral
suppression: counts
sentence: were seen by mental health services
source: >
  NHS England, Mental Health Bulletin, chapter 1 "people in contact with NHS funded secondary
  mental health, learning disabilities and autism services" (metric 1a and its rates per
  100,000, standardised by age and sex for ethnic groups; counts people with a referral in the
  year - NHSDigital/mental-health-bulletin, chapter 1 prep) and MHSDS Monthly Statistics MHS01
  (people in contact at the end of the reporting period, from open referrals). This metric
  keeps NHS England's concept and rate method but counts only people with an attended contact
  (ATTENDED OR DID NOT ATTEND 5 or 6). PCREF DESIGN section 6 (Access).
*/
SELECT
    Person_ID,
    MIN(CareContDate) AS event_date,
    1 AS numerator
FROM MHS201CareContact
WHERE CareContDate BETWEEN $period_start AND $period_end
  -- Attended: ATTENDED OR DID NOT ATTEND 5 or 6 (the attendance code list's attended == 'Y').
  AND AttendOrDNACode IN ('5', '6')
GROUP BY Person_ID
