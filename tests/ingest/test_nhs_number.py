"""NHS number check digit: hand-worked cases (NHS Data Dictionary modulus 11), and the SQL
version agreeing with the Python one."""

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcref.ingest.nhs_number import check_digit, invalid_nhs_number_sql, is_valid_nhs_number


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        # 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11-2 = 9
        ("9434765919", True),
        ("9434765918", False),
        # 4*10+0+1*8+0+2*6+3*5+2*4+1*3+3*2 = 92; 92 mod 11 = 4; 11-4 = 7
        ("4010232137", True),
        ("4010232138", False),
        # 1*9 + 1*2 = 11; remainder 0; 11-0 = 11, which means check digit 0
        ("0100000010", True),
        ("0100000011", False),
        # 4*3 = 12; remainder 1; 11-1 = 10: no valid check digit exists
        *[(f"000000040{d}", False) for d in range(10)],
        ("943 476 5919", False),  # spaces: the contract asks for 10 digits
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven digits
        ("94347659I9", False),  # a letter
        ("٩٤٣٤٧٦٥٩١٩", False),  # Arabic-Indic digits are digits, but not ASCII
        ("", False),
    ],
)
def test_hand_worked_nhs_numbers(number, valid):
    assert is_valid_nhs_number(number) is valid


def test_check_digit_ten_means_invalid():
    assert check_digit("000000040") is None
    assert check_digit("943476591") == 9
    with pytest.raises(ValueError, match="nine digits"):
        check_digit("12345678")


@settings(max_examples=60, deadline=None)
@given(st.lists(
    st.one_of(
        st.text(alphabet="0123456789", min_size=10, max_size=10),
        st.text(alphabet="0123456789 AX", min_size=8, max_size=11),
    ),
    min_size=1, max_size=40,
))
def test_sql_agrees_with_python(values):
    rows = _CONNECTION.execute(
        f"SELECT v, {invalid_nhs_number_sql('v')} "
        "FROM (SELECT unnest(?::VARCHAR[]) AS v, generate_subscripts(?::VARCHAR[], 1) AS i) "
        "ORDER BY i", [values, values]).fetchall()
    assert [(v, not bad) for v, bad in rows] == [(v, is_valid_nhs_number(v)) for v in values]


_CONNECTION = duckdb.connect()
