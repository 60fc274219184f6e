/*
id: dementia_diagnosis_rate_vs_expected
title: Recorded dementia diagnoses against expected cases, people aged 65 and over
description: >
  People aged 65 and over with a dementia diagnosis recorded by the trust, per 100 people expected
  to have dementia. Counted: each person aged 65 or over on the last day of the period who has a
  dementia diagnosis (ICD-10 F00-F03 or G30, code list diagnosis_dementia) recorded on any of the
  trust's referrals on or before that day; each person once, placed on the period's last day (so
  this metric has no month or quarter breakdown). Expected: dementia prevalence by sex and
  five-year age band (the dementia_prevalence table the trust supplies) applied to usual residents
  aged 65 and over in each group. This mirrors NHS England's estimated dementia diagnosis rate
  (EDDR, national ambition 66.7) but is not the same figure: the EDDR counts people on GP dementia
  registers against CFAS II rates, while this counts diagnoses recorded by the trust's own
  services, so it is lower wherever GPs diagnose. The count is cumulative over every year the
  warehouse holds, and the data set records no deaths, so people who have died or moved away since
  their diagnosis stay in it; compare groups within one run rather than across runs with different
  amounts of history. Age comes from the date of birth, or the age at the end of the extract's
  reporting period when that is all that is recorded; people whose age is not recorded are left
  out.
family: Dementia
unit: per 100 expected cases
method: ratio_to_expected
multiplier: 100
denominator: expected
population_min_age: 65
breakdowns: [total, ethnicity_5, ethnicity_16, sex, locality]
cross_breakdowns: [ethnicity_5 x sex]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: increase
suppression: counts
sentence: had a recorded dementia diagnosis
source: >
  NHS England, Dementia 65+ estimated diagnosis rate (national indicator library; measures
  DEMENTIA_REGISTER_65_PLUS / DEMENTIA_ESTIMATE_65_PLUS), expressed per 100 expected;
  notes/pcref-requirements.md §6.1 (including why an ethnicity breakdown needs expected cases from
  age and sex rates applied to each group's population) and §7 item 4.
*/
WITH diagnosed_people AS (
    -- People with an ICD-10 dementia code (code list diagnosis_dementia) by the period's end.
    SELECT DISTINCT Person_ID
    FROM MHS604PrimDiag
    WHERE DiagSchemeInUse = '02'
      AND SUBSTR(PrimDiag, 1, 3) IN ('F00', 'F01', 'F02', 'F03', 'G30')
      AND CodedDiagDate <= $period_end
),

people_with_age AS (
    -- Age in whole years on the period's last day; AgeRepPeriodEnd when no date of birth.
    SELECT
        d.Person_ID,
        CASE
            WHEN p.PersonBirthDate IS NOT NULL THEN
                EXTRACT(YEAR FROM CAST($period_end AS DATE))
                - EXTRACT(YEAR FROM p.PersonBirthDate)
                - CASE
                    WHEN EXTRACT(MONTH FROM CAST($period_end AS DATE)) * 100
                        + EXTRACT(DAY FROM CAST($period_end AS DATE))
                        < EXTRACT(MONTH FROM p.PersonBirthDate) * 100
                        + EXTRACT(DAY FROM p.PersonBirthDate)
                    THEN 1 ELSE 0
                END
            ELSE p.AgeRepPeriodEnd
        END AS age
    FROM diagnosed_people AS d
    INNER JOIN MHS001MPI AS p
        ON p.Person_ID = d.Person_ID
)

SELECT
    Person_ID,
    CAST($period_end AS DATE) AS event_date,
    1 AS numerator
FROM people_with_age
WHERE age >= 65
