/*
id: ri_duration
title: Length of physical restraint
description: >
  Median length, in minutes, of physical restraints that started in the period: every kind of
  physical restraint (prone, supine, side, standing, seated, kneeling, restrictive escort and
  other; restrictive intervention types 01 and 07 to 13), not chemical or mechanical restraint,
  seclusion or segregation. Each restraint (one use of one type within an incident) is measured
  from its start date and time to its end date and time, to the second. Restraints with no end
  date, or with a start or end time missing, cannot be measured and are left out; so are those
  recorded as lasting no time or ending before they started, which NHS England also treats as
  invalid. A restraint counts on its start date and against the ward of the ward stay its
  incident is recorded on. Restraint should last as short a time as possible, so shorter is
  better; the PCREF question is whether some groups are held for longer.
family: Restrictive practice
unit: minutes
method: median
denominator: none
breakdowns: [total, ethnicity_5, ethnicity_16, age_band, sex, imd_quintile, locality, ward, month, quarter]
cross_breakdowns: [ethnicity_5 x sex, ethnicity_5 x age_band]
reference_group: {ethnicity_5: White, ethnicity_16: White British}
improvement_direction: decrease
suppression: counts
sentence: were physically restrained for
source: >
  NHS England, MHSDS monthly restrictive interventions MHS98 (average minutes of restraint:
  end date-time minus start date-time in seconds / 60, excluding restraints with a missing date
  or time and those of zero or negative length) - NHSDigital/mental-health-monthly-statistics,
  Restraints_v5_Apr2022_onwards/Restraints_Prep.py and
  Restraints_Published_CSV_Build/Average_Minutes_of_Restraint.py; the median is reported here
  rather than the mean because a few very long restraints dominate a mean; notes
  pcref-requirements.md sections 2.4 and 7.2; code list restrictive_intervention_type
  (intervention_class Physical).
*/
WITH

-- Physical restraints (intervention class Physical) starting in the period with an end date and
-- both times recorded, on the ward of their incident's ward stay.
measurable_physical_restraints AS (
    SELECT
        t.Person_ID,
        t.StartDateRestrictiveIntType,
        w.WardCode,
        date_diff('day', t.StartDateRestrictiveIntType, t.EndDateRestrictiveIntType) * 86400
            + (HOUR(t.EndTimeRestrictiveIntType) * 3600
               + MINUTE(t.EndTimeRestrictiveIntType) * 60
               + SECOND(t.EndTimeRestrictiveIntType))
            - (HOUR(t.StartTimeRestrictiveIntType) * 3600
               + MINUTE(t.StartTimeRestrictiveIntType) * 60
               + SECOND(t.StartTimeRestrictiveIntType))
            AS restraint_seconds
    FROM MHS515RestrictiveInterventType AS t
    LEFT JOIN MHS505RestrictiveInterventInc AS i
        ON i.UniqRestrictiveIntIncID = t.UniqRestrictiveIntIncID
    LEFT JOIN MHS502WardStay AS w
        ON w.UniqWardStayID = i.UniqWardStayID
    WHERE t.RestrictiveIntType IN ('01', '07', '08', '09', '10', '11', '12', '13')
      AND t.StartDateRestrictiveIntType
          BETWEEN CAST($period_start AS DATE) AND CAST($period_end AS DATE)
      AND t.EndDateRestrictiveIntType IS NOT NULL
      AND t.StartTimeRestrictiveIntType IS NOT NULL
      AND t.EndTimeRestrictiveIntType IS NOT NULL
)

SELECT
    Person_ID,
    StartDateRestrictiveIntType AS event_date,
    1 AS numerator,
    CAST(restraint_seconds AS DOUBLE) / 60 AS observation,
    WardCode AS ward_code
FROM measurable_physical_restraints
WHERE restraint_seconds > 0
