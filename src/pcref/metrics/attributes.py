"""Who each unit row is about: ethnicity, sex, age, locality and deprivation, in SQL.

The engine attaches the same attributes to every metric's unit rows, so that every metric is
broken down the same way. They come from the master patient index (``MHS001MPI``) and the LSOA
lookup, through code-list mapping tables registered as SQL tables (never mapped in pandas, so
national volumes stay in the engine):

``ethnicity_16`` / ``ethnicity_5``
    The short label (``label_short``, e.g. "Black African") and NHS England's five-group
    (``ethnic_group_5``) of ``EthnicCategory``. A local two-character code ("A1") rolls up to
    its first character, as the Data Dictionary says, except "99". Z is its own group
    **Not stated** (asked, chose not to say); 99, a blank or an unmapped code is **Not known**.
    Both are reported as groups of their own and never folded into a rate's denominator.
``sex``
    NHS England's derived gender (MHSDS monthly statistics, ``0.Generic_prep.py``):
    ``GenderIDCode`` when it is 1–4, else ``Gender`` when it is 1, 2 or 9. 1 → Male, 2 →
    Female, 3, 4 or 9 → Other (non-binary, not listed, indeterminate); otherwise Not known.
    Only Male and Female have population denominators and enter standardisation.
``birth_date`` / ``age_reported``
    Date of birth, and ``AgeRepPeriodEnd`` for people without one; the age is taken at each
    unit row's ``event_date`` (:func:`age_sql`).
``locality`` / ``imd_quintile``
    From the LSOA of residence via ``lsoa_lookup``: the reporting locality, and the Index of
    Multiple Deprivation quintile ⌈decile / 2⌉ (1 = most deprived). No LSOA, or one not in the
    lookup: Not known.
``preferred_language`` / ``interpreter_need``
    What a team needs to know to offer interpreting and translated information:
    ``LanguageCodePreferred`` as English, each other language by its name in the code list
    ``preferred_language``, or **Not recorded** (blank); ``InterpreterRequired`` (the local
    Accessible Information Standard field) as Interpreter needed (Y), No interpreter needed
    (N), Not stated (Z) or Not recorded. A code outside the list is Not known.
``religion`` / ``disability``
    As currently recorded in the extract, like every other attribute here (the ``dq_*``
    metrics instead ignore records dated after their period): religion is the Data
    Dictionary group of the person's latest ``MHS011SocPerCircumstances`` record (M declines
    to disclose → Not stated, N → Not known); disability is **Any disability** when any
    ``MHS007DisabilityType`` record has a disability code (01-10, XX), else No disability
    (NN), else Not stated (ZZ). No record: **Not recorded**. A trust that did not supply the
    table has everyone Not recorded.

Team and ward labels come from the ``team`` and ``ward`` lookups (``TeamName``, ``WardName``)
for the ``team_id`` / ``ward_code`` of each unit row.

In SQL every attribute is a small whole-number **code** (its position in the label lists
below; localities numbered from 1 in name order, 0 for Not known), because engines group and
join whole numbers several times faster than text; :func:`decode` turns codes back into
labels once the counts are small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pcref import codelists
from pcref.metrics.backend import Backend
from pcref.stats import ESP2013_AGE_BANDS, NHSE_AGE_BANDS

NOT_STATED = "Not stated"
NOT_KNOWN = "Not known"
#: Nothing recorded (a blank field, or no record): a recording gap, unlike Not stated.
NOT_RECORDED = "Not recorded"
ENGLISH = "English"
INTERPRETER_NEED_LABELS = (
    "Interpreter needed", "No interpreter needed", NOT_STATED, NOT_RECORDED, NOT_KNOWN,
)
#: INTERPRETER_NEED_LABELS by InterpreterRequired code.
INTERPRETER_NEED_CODES = {"Y": "Interpreter needed", "N": "No interpreter needed", "Z": NOT_STATED}
ANY_DISABILITY = "Any disability"
NO_DISABILITY = "No disability"
DISABILITY_LABELS = (ANY_DISABILITY, NO_DISABILITY, NOT_STATED, NOT_RECORDED, NOT_KNOWN)
#: DisabCode values that record a disability (NN is none, ZZ not stated).
DISABILITY_CODES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "XX")
OTHER_SEX = "Other"
SEX_LABELS = ("Male", "Female", OTHER_SEX, NOT_KNOWN)
#: Population sex codes (the census's 1 and 2) as the engine labels them.
POPULATION_SEX = {"1": "Male", "2": "Female"}
IMD_QUINTILES = ("1 (most deprived)", "2", "3", "4", "5 (least deprived)")
AGE_BANDS = (*NHSE_AGE_BANDS, NOT_KNOWN)
#: Five-year bands of the dementia prevalence table (65-69 … 90+), youngest first.
PREVALENCE_BANDS = ("65-69", "70-74", "75-79", "80-84", "85-89", "90+")
#: The European Standard Population 2013's 19 bands (0-4 … 90+), strata of standardise: esp2013.
ESP_BANDS = (*ESP2013_AGE_BANDS, NOT_KNOWN)

#: Names of the relations the engine creates (temporary; nothing is written to the warehouse).
ETHNIC_CATEGORY_TABLE = "pcref_ethnic_category"
CENSUS_ETHNIC_GROUP_TABLE = "pcref_census_ethnic_group"
PERSON_ATTRIBUTES = "pcref_person_attributes"
LOCALITY_TABLE = "pcref_locality"
LANGUAGE_TABLE = "pcref_preferred_language"
PERSON_RELIGION = "pcref_person_religion"
PERSON_DISABILITY = "pcref_person_disability"


def ethnic_category_map() -> pd.DataFrame:
    """``code, ethnicity_16, ethnicity_5`` for every ETHNIC CATEGORY code, unknowns included."""
    table = codelists.load("ethnic_category")
    unknown = set(codelists.info("ethnic_category")["unknown_codes"])
    group_5 = table["ethnic_group_5"].astype(object)
    is_unknown = table["code"].isin(unknown)
    group_5 = group_5.where(~is_unknown, table["label_short"].astype(object))
    sixteen = table["label_short"].astype(str)
    five = group_5.astype(str)
    five_labels = list(dict.fromkeys(five))
    return pd.DataFrame({
        "code": table["code"].astype(str),
        "ethnicity_16": sixteen,
        "ethnicity_5": five,
        "ethnicity_16_code": range(len(table)),
        "ethnicity_5_code": [five_labels.index(f) for f in five],
    })


def census_ethnic_group_map() -> pd.DataFrame:
    """``code, ethnicity_16, ethnicity_5`` for the census's 19 groups.

    ``ethnicity_16`` is empty (None) for Gypsy or Irish Traveller, Roma and Arab, which count
    only in the five-group White and Other Ethnic Groups, as in NHS England's population code.
    """
    census = codelists.load("census2021_ethnic_group")
    labels = dict(zip(ethnic_category_map()["code"], ethnic_category_map()["ethnicity_16"],
                      strict=True))
    sixteen = census["nhs_ethnic_category"].astype(object).map(
        lambda code: labels[code] if isinstance(code, str) else None
    )
    return pd.DataFrame({
        "code": census["code"].astype(str),
        "ethnicity_16": sixteen.astype(object),
        "ethnicity_5": census["ethnic_group_5"].astype(str),
    })


def ethnicity_16_labels() -> tuple[str, ...]:
    """The 16 groups in Data Dictionary order, then Not stated and Not known."""
    return tuple(ethnic_category_map()["ethnicity_16"])


def ethnicity_5_labels() -> tuple[str, ...]:
    """The five groups in NHS England's order, then Not stated and Not known."""
    return tuple(dict.fromkeys(ethnic_category_map()["ethnicity_5"]))


def ethnicity_16_parents() -> dict[str, str]:
    """Each 16-group label's five-group label (Not stated/Not known map to themselves)."""
    table = ethnic_category_map()
    return dict(zip(table["ethnicity_16"], table["ethnicity_5"], strict=True))


def preferred_language_map() -> pd.DataFrame:
    """``code, preferred_language`` (the label's code) for every code of the language list."""
    table = codelists.load("preferred_language")
    labels = preferred_language_labels()
    english = table["english"].astype(object).eq("Y")
    names = [ENGLISH if is_english else str(label)
             for label, is_english in zip(table["label"], english, strict=True)]
    return pd.DataFrame({
        "code": table["code"].astype(str),
        "preferred_language": [labels.index(name) for name in names],
    })


def preferred_language_labels() -> tuple[str, ...]:
    """English, the other languages of the code list by name, Not recorded, Not known."""
    table = codelists.load("preferred_language")
    english = table["english"].astype(object).eq("Y")
    others = sorted({str(label) for label in table.loc[~english, "label"]}, key=str.casefold)
    return (ENGLISH, *others, NOT_RECORDED, NOT_KNOWN)


def religion_labels() -> tuple[str, ...]:
    """The Data Dictionary's religious or other belief groups (A-L, "None" as No religion),
    then Not stated (M, declines to disclose), Not recorded and Not known (N, or no code)."""
    table = codelists.load("religion_group")
    unknown = set(codelists.info("religion_group")["unknown_codes"])
    groups = ["No religion" if label == "None" else str(label)
              for code, label in zip(table["code"], table["label"], strict=True)
              if code not in unknown]
    return (*groups, NOT_STATED, NOT_RECORDED, NOT_KNOWN)


def person_religion_sql() -> str:
    """One row per person with a religion record: the code of the latest record's group."""
    table = codelists.load("religion_group")
    unknown = set(codelists.info("religion_group")["unknown_codes"])
    labels = religion_labels()
    named = dict(zip([c for c in table["code"] if c not in unknown], labels, strict=False))
    cases = " ".join(f"WHEN '{code}' THEN {labels.index(label)}" for code, label in named.items())
    return f"""
SELECT
    Person_ID,
    CASE
        WHEN code IS NULL OR code = '' THEN {labels.index(NOT_RECORDED)}
        WHEN code = 'M' THEN {labels.index(NOT_STATED)}
        ELSE CASE code {cases} ELSE {labels.index(NOT_KNOWN)} END
    END AS religion
FROM (
    SELECT
        Person_ID,
        TRIM(ReligiousAffiliationGroup) AS code,
        ROW_NUMBER() OVER (
            PARTITION BY Person_ID ORDER BY SocPerCircumstanceRecDate DESC NULLS LAST
        ) AS recency
    FROM MHS011SocPerCircumstances
) AS dated_records
WHERE recency = 1
""".strip()


def person_disability_sql() -> str:
    """One row per person with a disability record: any disability, else none, else not
    stated (a person may have several records)."""
    labels = DISABILITY_LABELS
    disabled = ", ".join(f"'{code}'" for code in DISABILITY_CODES)
    return f"""
SELECT
    Person_ID,
    CASE
        WHEN MAX(CASE WHEN code IN ({disabled}) THEN 1 ELSE 0 END) = 1
            THEN {labels.index(ANY_DISABILITY)}
        WHEN MAX(CASE WHEN code = 'NN' THEN 1 ELSE 0 END) = 1 THEN {labels.index(NO_DISABILITY)}
        WHEN MAX(CASE WHEN code = 'ZZ' THEN 1 ELSE 0 END) = 1 THEN {labels.index(NOT_STATED)}
        WHEN MAX(CASE WHEN code <> '' THEN 1 ELSE 0 END) = 1 THEN {labels.index(NOT_KNOWN)}
        ELSE {labels.index(NOT_RECORDED)}
    END AS disability
FROM (SELECT Person_ID, TRIM(DisabCode) AS code FROM MHS007DisabilityType) AS records
GROUP BY Person_ID
""".strip()


def register_code_lists(backend: Backend) -> tuple[str, ...]:
    """Register the mapping tables and per-person relations the attribute SQL joins; return
    the locality labels by code (code 0 is Not known).

    Religion and disability come from optional tables: a warehouse without one gets an empty
    relation, so everyone is Not recorded rather than the attribute SQL failing.
    """
    backend.register(ETHNIC_CATEGORY_TABLE, ethnic_category_map())
    backend.register(LANGUAGE_TABLE, preferred_language_map())
    for name, table, sql, column in (
        (PERSON_RELIGION, "MHS011SocPerCircumstances", person_religion_sql(), "religion"),
        (PERSON_DISABILITY, "MHS007DisabilityType", person_disability_sql(), "disability"),
    ):
        if backend.has_table(table):
            backend.materialise(name, sql)
        else:
            backend.register(name, pd.DataFrame({
                "Person_ID": pd.Series(dtype="string"), column: pd.Series(dtype="int64"),
            }))
    census = census_ethnic_group_map()
    census["ethnicity_16"] = census["ethnicity_16"].astype("string")
    backend.register(CENSUS_ETHNIC_GROUP_TABLE, census)
    found = backend.query(
        "SELECT DISTINCT Locality FROM lsoa_lookup WHERE Locality IS NOT NULL")["Locality"]
    names = sorted((str(n) for n in found if str(n) != NOT_KNOWN), key=str.casefold)
    backend.register(LOCALITY_TABLE, pd.DataFrame({
        "Locality": pd.Series(names, dtype=object), "locality_code": range(1, len(names) + 1),
    }))
    return (NOT_KNOWN, *names)


def decode(codes: pd.Series, labels: tuple[str, ...]) -> pd.Series:
    """Labels of whole-number codes (positions in ``labels``); missing stays missing."""
    lookup = np.asarray(labels, dtype=object)
    values = pd.to_numeric(codes, errors="coerce").to_numpy(dtype="float64")
    out = np.full(len(values), None, dtype=object)
    present = ~np.isnan(values)
    out[present] = lookup[values[present].astype(int)]
    return pd.Series(out, index=codes.index, dtype=object)


def _code(labels: tuple[str, ...], label: str) -> int:
    return labels.index(label)


def _imd_sql(decile: str) -> str:
    labels = (*IMD_QUINTILES, NOT_KNOWN)
    cases = " ".join(
        f"WHEN {decile} IN ({2 * q + 1}, {2 * q + 2}) THEN {q}" for q in range(len(IMD_QUINTILES))
    )
    return f"CASE {cases} ELSE {_code(labels, NOT_KNOWN)} END"


def person_attributes_sql() -> str:
    """One row per person of ``MHS001MPI`` with the attribute codes every breakdown uses."""
    code = "TRIM(m.EthnicCategory)"
    sexes = SEX_LABELS
    other = _code(sexes, OTHER_SEX)
    language = "TRIM(m.LanguageCodePreferred)"
    languages = preferred_language_labels()
    interpreter = "TRIM(m.InterpreterRequired)"
    needs = INTERPRETER_NEED_LABELS
    need_cases = " ".join(f"WHEN '{c}' THEN {needs.index(label)}"
                          for c, label in INTERPRETER_NEED_CODES.items())
    return f"""
SELECT
    m.Person_ID,
    COALESCE(exact.ethnicity_16_code, rolled.ethnicity_16_code,
             {_code(ethnicity_16_labels(), NOT_KNOWN)}) AS ethnicity_16,
    COALESCE(exact.ethnicity_5_code, rolled.ethnicity_5_code,
             {_code(ethnicity_5_labels(), NOT_KNOWN)}) AS ethnicity_5,
    CASE derived_gender
        WHEN '1' THEN {_code(sexes, "Male")}
        WHEN '2' THEN {_code(sexes, "Female")}
        WHEN '3' THEN {other}
        WHEN '4' THEN {other}
        WHEN '9' THEN {other}
        ELSE {_code(sexes, NOT_KNOWN)}
    END AS sex,
    m.PersonBirthDate AS birth_date,
    m.AgeRepPeriodEnd AS age_reported,
    COALESCE(locality.locality_code, 0) AS locality,
    {_imd_sql("area.IMDDecile")} AS imd_quintile,
    CASE
        WHEN {language} IS NULL OR {language} = '' THEN {_code(languages, NOT_RECORDED)}
        ELSE COALESCE(language.preferred_language, {_code(languages, NOT_KNOWN)})
    END AS preferred_language,
    CASE
        WHEN {interpreter} IS NULL OR {interpreter} = '' THEN {_code(needs, NOT_RECORDED)}
        ELSE CASE {interpreter} {need_cases} ELSE {_code(needs, NOT_KNOWN)} END
    END AS interpreter_need,
    COALESCE(religion.religion, {_code(religion_labels(), NOT_RECORDED)}) AS religion,
    COALESCE(disability.disability, {_code(DISABILITY_LABELS, NOT_RECORDED)}) AS disability
FROM (
    SELECT
        *,
        CASE
            WHEN TRIM(GenderIDCode) IN ('1', '2', '3', '4') THEN TRIM(GenderIDCode)
            WHEN TRIM(Gender) IN ('1', '2', '9') THEN TRIM(Gender)
        END AS derived_gender
    FROM MHS001MPI
) AS m
LEFT JOIN {ETHNIC_CATEGORY_TABLE} AS exact
    ON exact.code = {code}
LEFT JOIN {ETHNIC_CATEGORY_TABLE} AS rolled
    ON LENGTH({code}) = 2 AND {code} <> '99' AND rolled.code = SUBSTRING({code}, 1, 1)
LEFT JOIN lsoa_lookup AS area
    ON area.LSOA2021 = m.LSOA2021
LEFT JOIN {LOCALITY_TABLE} AS locality
    ON locality.Locality = area.Locality
LEFT JOIN {LANGUAGE_TABLE} AS language
    ON language.code = {language}
LEFT JOIN {PERSON_RELIGION} AS religion
    ON religion.Person_ID = m.Person_ID
LEFT JOIN {PERSON_DISABILITY} AS disability
    ON disability.Person_ID = m.Person_ID
""".strip()


def age_sql(event_date: str, birth_date: str, age_reported: str) -> str:
    """Age in completed years at ``event_date`` (from the birth date, else the reported age).

    Portable SQL: years between the dates, less one if the birthday has not come yet in the
    event's year. Someone born on 29 February is a year older from 1 March in other years.
    """
    return f"""CASE
        WHEN {birth_date} IS NOT NULL THEN
            EXTRACT(YEAR FROM {event_date}) - EXTRACT(YEAR FROM {birth_date})
            - CASE
                WHEN EXTRACT(MONTH FROM {event_date}) < EXTRACT(MONTH FROM {birth_date})
                  OR (EXTRACT(MONTH FROM {event_date}) = EXTRACT(MONTH FROM {birth_date})
                      AND EXTRACT(DAY FROM {event_date}) < EXTRACT(DAY FROM {birth_date}))
                THEN 1 ELSE 0
              END
        ELSE {age_reported}
    END"""


def age_band_sql(age: str, *, codes: bool = False) -> str:
    """NHS England's six bands for an age in years (labels, or their codes); a missing or
    negative age is Not known."""
    bounds = (0, 16, 18, 35, 50, 65)

    def value(label: str) -> str:
        return str(AGE_BANDS.index(label)) if codes else f"'{label}'"

    cases = [f"WHEN {age} IS NULL OR {age} < 0 THEN {value(NOT_KNOWN)}"]
    for upper, label in zip(bounds[1:], NHSE_AGE_BANDS, strict=False):
        cases.append(f"WHEN {age} < {upper} THEN {value(label)}")
    cases.append(f"ELSE {value(NHSE_AGE_BANDS[-1])}")
    return "CASE " + " ".join(cases) + " END"


def esp_band_sql(age: str, *, codes: bool = False) -> str:
    """The European Standard Population 2013's five-year band (0-4 … 85-89, 90+) of an age in
    years (labels, or their codes); a missing or negative age is Not known."""

    def value(label: str) -> str:
        return str(ESP_BANDS.index(label)) if codes else f"'{label}'"

    cases = [f"WHEN {age} IS NULL OR {age} < 0 THEN {value(NOT_KNOWN)}"]
    for lower, label in zip(range(0, 90, 5), ESP2013_AGE_BANDS, strict=False):
        cases.append(f"WHEN {age} < {lower + 5} THEN {value(label)}")
    cases.append(f"ELSE {value(ESP2013_AGE_BANDS[-1])}")
    return "CASE " + " ".join(cases) + " END"


def prevalence_band_sql(age: str) -> str:
    """Five-year band of the dementia prevalence table for an age (NULL below 65)."""
    cases = [f"WHEN {age} < 65 THEN NULL"]
    for lower, label in zip(range(65, 90, 5), PREVALENCE_BANDS, strict=False):
        cases.append(f"WHEN {age} < {lower + 5} THEN '{label}'")
    cases.append(f"ELSE '{PREVALENCE_BANDS[-1]}'")
    return "CASE " + " ".join(cases) + " END"
