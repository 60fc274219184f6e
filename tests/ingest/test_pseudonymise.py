"""Pseudonymisation: HMAC-SHA256 by RFC 4231's test vector, determinism, key handling."""

import pytest

from pcref.ingest.pseudonymise import (
    DEMO_KEY,
    KEY_ENVIRONMENT_VARIABLE,
    PseudonymisationKey,
    PseudonymisationKeyError,
    load_key,
)

KEY_A = b"a" * 40
KEY_B = b"b" * 40


def test_matches_rfc4231_test_case_6_truncated_to_128_bits():
    # RFC 4231 section 4.7: a 131-byte key of 0xaa; HMAC-SHA-256 is
    # 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54. The pseudonym is its
    # first 128 bits, the truncation RFC 4231 test case 5 exercises.
    key = PseudonymisationKey(b"\xaa" * 131, source="RFC 4231")
    data = "Test Using Larger Than Block-Size Key - Hash Key First"
    assert key.pseudonym(data) == "60e431591ee0b67f0d8a26aacbf5b77f"
    assert key.pseudonyms([data, data]) == [key.pseudonym(data)] * 2


def test_same_key_same_pseudonym_and_different_keys_differ():
    a1 = PseudonymisationKey(KEY_A, source="test")
    a2 = PseudonymisationKey(KEY_A, source="elsewhere")
    b = PseudonymisationKey(KEY_B, source="test")
    ids = ["P1", "P2", "P1"]
    assert a1.pseudonyms(ids) == a2.pseudonyms(ids)
    assert a1.pseudonyms(ids)[0] == a1.pseudonyms(ids)[2]
    assert a1.pseudonyms(ids)[0] != a1.pseudonyms(ids)[1]
    assert set(a1.pseudonyms(ids)).isdisjoint(b.pseudonyms(ids))
    assert a1.key_id == a2.key_id != b.key_id


def test_key_never_shown():
    key = PseudonymisationKey(KEY_A, source="test")
    assert "aaaa" not in repr(key)
    assert KEY_A.decode() not in key.key_id


def test_short_key_refused():
    with pytest.raises(PseudonymisationKeyError, match="at least 32"):
        PseudonymisationKey(b"short", source="test")


def test_no_key_refused():
    with pytest.raises(PseudonymisationKeyError, match="--key-file"):
        load_key(None, environ={})


def test_key_from_file_strips_trailing_newline(tmp_path):
    path = tmp_path / "key"
    path.write_bytes(KEY_A + b"\n")
    key = load_key(path, environ={})
    assert key.secret == KEY_A and not key.demo


def test_missing_key_file_named(tmp_path):
    with pytest.raises(PseudonymisationKeyError, match="cannot read the key file"):
        load_key(tmp_path / "absent", environ={})


def test_key_from_environment():
    key = load_key(None, environ={KEY_ENVIRONMENT_VARIABLE: KEY_B.decode()})
    assert key.secret == KEY_B


def test_key_file_wins_over_environment(tmp_path):
    path = tmp_path / "key"
    path.write_bytes(KEY_A)
    key = load_key(path, environ={KEY_ENVIRONMENT_VARIABLE: KEY_B.decode()})
    assert key.secret == KEY_A


def test_demo_key_is_the_published_one_and_marked():
    key = load_key(None, demo=True, environ={})
    assert key.demo and key.secret == DEMO_KEY


def test_demo_with_a_real_key_refused():
    with pytest.raises(PseudonymisationKeyError, match="one or the other"):
        load_key(None, demo=True, environ={KEY_ENVIRONMENT_VARIABLE: KEY_B.decode()})
