"""Warehouse-row builders and unit-row readers that several catalogue metric tests share.

Each is a fixture returning a plain function, so a test asks for it by name (``contact``,
``by_statistic``, ``ward_stay``, ``intervention``, ``rows_of``) and calls it as before; the
metric-specific builders stay in the metric's own test file.
"""

import pytest

#: The statistics every data-quality (dq_*_recorded) metric yields, in this order.
DQ_STATISTICS = ("coverage", "validity", "accuracy")


def _contact(contact_id, person_id, date, team="T1", attendance="5"):
    """An MHS201CareContact row on referral R1 (attended, code 5, with team T1 unless told)."""
    return {"UniqCareContID": contact_id, "UniqServReqID": "R1", "Person_ID": person_id,
            "UniqCareProfTeamID": team, "CareContDate": date, "AttendOrDNACode": attendance}


def _by_statistic(rows):
    """{(Person_ID, team_id): (coverage, validity, accuracy)} from a data-quality metric's unit
    rows, checking the row shape: three statistics per person and team, denominator 1."""
    assert set(rows.columns) == {"Person_ID", "event_date", "team_id", "statistic",
                                 "numerator", "denominator"}
    assert (rows["denominator"] == 1).all()
    result = {}
    for (person_id, team), group in rows.groupby(["Person_ID", "team_id"], dropna=False):
        values = dict(zip(group["statistic"], group["numerator"], strict=True))
        assert len(group) == 3 and set(values) == set(DQ_STATISTICS)
        result[(person_id, None if team != team else team)] = tuple(
            values[s] for s in DQ_STATISTICS
        )
    return result


def _ward_stay(stay_id, person, start, end=None, spell_id=None):
    """An MHS502WardStay row on ward WA (its own hospital spell S-<stay> unless told)."""
    return {
        "UniqWardStayID": stay_id, "UniqHospProvSpellID": spell_id or f"S-{stay_id}",
        "Person_ID": person, "WardCode": "WA", "StartDateWardStay": start,
        "EndDateWardStay": end,
    }


def _intervention(type_id, person, code, start):
    """An MHS515RestrictiveInterventType row of type ``code`` in its own incident."""
    return {
        "UniqRestrictiveIntTypeID": type_id, "UniqRestrictiveIntIncID": f"I-{type_id}",
        "Person_ID": person, "RestrictiveIntType": code, "StartDateRestrictiveIntType": start,
    }


def _rows_of(frame):
    """Sorted (Person_ID, event_date, numerator, denominator) of a per-person proportion."""
    return sorted(
        (p, d.isoformat(), n, q)
        for p, d, n, q in zip(frame["Person_ID"], frame["event_date"].dt.date,
                              frame["numerator"], frame["denominator"], strict=True)
    )


@pytest.fixture
def contact():
    return _contact


@pytest.fixture
def by_statistic():
    return _by_statistic


@pytest.fixture
def ward_stay():
    return _ward_stay


@pytest.fixture
def intervention():
    return _intervention


@pytest.fixture
def rows_of():
    return _rows_of
