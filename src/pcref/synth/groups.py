"""The 19 Census 2021 ethnic groups the generator works in, and how they are recorded.

People are generated in the 19 ONS Census 2021 groups (``population.Census2021EthnicGroup``)
and recorded on MHS001MPI in the NHS Data Dictionary ETHNIC CATEGORY (16 national codes).
The map between the two comes from the shipped code list ``census2021_ethnic_group``
(NHS England's own map, ``pcref-requirements.md`` §2.2) plus the configuration's
``recorded_ethnic_category`` for the three census groups without an NHS code of their own
(Gypsy or Irish Traveller, Roma, Arab).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Configuration keys of the 19 census groups, in census code order (index i = code i + 1).
GROUP_KEYS: tuple[str, ...] = (
    "bangladeshi",
    "chinese",
    "indian",
    "pakistani",
    "other_asian",
    "african",
    "caribbean",
    "other_black",
    "white_and_asian",
    "white_and_black_african",
    "white_and_black_caribbean",
    "other_mixed",
    "white_british",
    "white_irish",
    "gypsy_or_irish_traveller",
    "roma",
    "other_white",
    "arab",
    "any_other",
)
N_GROUPS = len(GROUP_KEYS)
#: Census 2021 ``ethnic_group_code`` of each group, as strings ("1" … "19").
CENSUS_CODES: tuple[str, ...] = tuple(str(i + 1) for i in range(N_GROUPS))
GROUP_INDEX: dict[str, int] = {key: i for i, key in enumerate(GROUP_KEYS)}
WHITE_BRITISH = GROUP_INDEX["white_british"]

#: Aggregate keys usable in configuration mappings, applied before specific groups (so a
#: specific group overrides its aggregate). ``asian`` is the Census 2021 sense (with Chinese).
AGGREGATES: dict[str, tuple[str, ...]] = {
    "white": ("white_british", "white_irish", "gypsy_or_irish_traveller", "roma", "other_white"),
    "mixed": (
        "white_and_asian",
        "white_and_black_african",
        "white_and_black_caribbean",
        "other_mixed",
    ),
    "asian": ("bangladeshi", "chinese", "indian", "pakistani", "other_asian"),
    "black": ("african", "caribbean", "other_black"),
    "other": ("arab", "any_other"),
    "south_asian": ("indian", "pakistani", "bangladeshi"),
}


def group_vector(
    spec: Mapping[str, float] | None, default: float, *, where: str = "configuration"
) -> np.ndarray:
    """One value per census group from a mapping keyed by group or aggregate names.

    Aggregates are applied first, in the order of :data:`AGGREGATES`, then specific groups;
    groups not mentioned get ``default``.
    """
    values = np.full(N_GROUPS, float(default))
    spec = dict(spec or {})
    unknown = sorted(k for k in spec if k not in GROUP_INDEX and k not in AGGREGATES)
    if unknown:
        raise KeyError(
            f"{where}: unknown ethnic group key(s) {unknown}; expected one of "
            f"{list(GROUP_KEYS)} or the aggregates {list(AGGREGATES)}"
        )
    for aggregate, members in AGGREGATES.items():
        if aggregate in spec:
            for member in members:
                values[GROUP_INDEX[member]] = float(spec[aggregate])
    for key, value in spec.items():
        if key in GROUP_INDEX:
            values[GROUP_INDEX[key]] = float(value)
    return values


def recorded_categories(recorded_overrides: Mapping[str, str]) -> np.ndarray:
    """The NHS ETHNIC CATEGORY code each census group is recorded as on MHS001MPI."""
    import pandas as pd

    from pcref import codelists

    census = codelists.load("census2021_ethnic_group").set_index("code")
    out = []
    for code, key in zip(CENSUS_CODES, GROUP_KEYS, strict=True):
        value = census.loc[code, "nhs_ethnic_category"]
        nhs = "" if pd.isna(value) else str(value)
        if key in recorded_overrides:
            nhs = recorded_overrides[key]
        if not nhs:
            raise KeyError(
                f"census group {key} (code {code}) has no NHS ethnic category in the code list; "
                "give one under recorded_ethnic_category"
            )
        out.append(nhs)
    return np.array(out, dtype=object)
