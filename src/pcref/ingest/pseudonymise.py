"""Pseudonymisation of person identifiers with a keyed hash (HMAC-SHA256).

Every person identifier in the extract is replaced, in every table, by the HMAC-SHA256 of the
identifier under a secret key (RFC 2104), truncated to its first 128 bits and written as 32 hex
characters. The same key gives the same pseudonym, so tables still join and re-ingests line
up; without the key a pseudonym cannot be reversed or recomputed by guessing identifiers,
which a plain hash would allow. Truncation to half the hash length is what RFC 2104 section 5
recommends as the shortest safe output (RFC 4231 test case 5 tests exactly this 128-bit
truncation); it halves the warehouse's largest column, and a collision among even 10 million
people has a probability below 10^-24.

The key comes from a file (``--key-file``) or the environment variable
``PCREF_PSEUDONYMISATION_KEY``, must be at least 32 bytes (RFC 2104 section 3 discourages keys
shorter than the hash output) and is never stored: the warehouse records only a key
identifier, itself an HMAC of a fixed label, so two warehouses can be seen to share a key.
Ingest refuses to run without a key, except with ``--demo``, which uses the published
`DEMO_KEY` and says so: demo pseudonyms protect nothing and are for synthetic data only.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Environment variable that may hold the key.
KEY_ENVIRONMENT_VARIABLE = "PCREF_PSEUDONYMISATION_KEY"

#: The fixed, public key used with ``--demo``. Anyone can recompute demo pseudonyms.
DEMO_KEY = b"pcref-demo-key: PUBLIC, for synthetic data only, never for real patients"

#: Minimum key length in bytes (the SHA-256 output length; RFC 2104 section 3).
MINIMUM_KEY_BYTES = 32

#: Hex characters kept from the HMAC-SHA256 output (128 bits).
PSEUDONYM_HEX_LENGTH = 32

_KEY_ID_LABEL = b"pcref pseudonymisation key identifier"
_HASH = "sha256"


class PseudonymisationKeyError(ValueError):
    """No usable key: missing, too short, or given in two ways at once."""


@dataclass(frozen=True)
class PseudonymisationKey:
    """A secret key and where it came from. ``repr`` never shows the key."""

    secret: bytes
    source: str
    demo: bool = False

    def __post_init__(self) -> None:
        if len(self.secret) < MINIMUM_KEY_BYTES:
            raise PseudonymisationKeyError(
                f"the pseudonymisation key from {self.source} is {len(self.secret)} bytes; "
                f"expected at least {MINIMUM_KEY_BYTES} (make one with: python -c "
                "\"import secrets; print(secrets.token_hex(32))\")"
            )

    def __repr__(self) -> str:
        return f"PseudonymisationKey(source={self.source!r}, demo={self.demo}, id={self.key_id})"

    @property
    def key_id(self) -> str:
        """A short public identifier of the key (HMAC of a fixed label), safe to record."""
        return hmac.digest(self.secret, _KEY_ID_LABEL, _HASH).hex()[:16]

    def pseudonym(self, identifier: str) -> str:
        """The pseudonym for one identifier: HMAC-SHA256 of its UTF-8 bytes, first 128 bits
        in hex."""
        return hmac.digest(self.secret, identifier.encode("utf-8"), _HASH)[:16].hex()

    def pseudonyms(self, identifiers: Iterable[str]) -> list[str]:
        """Pseudonyms for many identifiers, in order."""
        secret, digest = self.secret, hmac.digest
        return [digest(secret, i.encode("utf-8"), _HASH)[:16].hex() for i in identifiers]


def demo_key() -> PseudonymisationKey:
    """The public demo key (for synthetic extracts only)."""
    return PseudonymisationKey(DEMO_KEY, source="the public demo key", demo=True)


def load_key(
    key_file: Path | None = None,
    *,
    demo: bool = False,
    environ: dict[str, str] | None = None,
) -> PseudonymisationKey:
    """Find the key: ``key_file``, else the environment variable, else (only with ``demo``)
    the demo key. Refuses when there is none, or when ``demo`` is combined with a real key."""
    environ = os.environ if environ is None else environ
    from_environment = environ.get(KEY_ENVIRONMENT_VARIABLE)
    if demo:
        if key_file is not None or from_environment:
            given = "--key-file" if key_file is not None else KEY_ENVIRONMENT_VARIABLE
            raise PseudonymisationKeyError(
                f"--demo uses the public demo key, but a key was also given ({given}); "
                "use one or the other"
            )
        return demo_key()
    if key_file is not None:
        try:
            secret = Path(key_file).read_bytes().strip()
        except OSError as error:
            raise PseudonymisationKeyError(
                f"cannot read the key file {key_file}: {error.strerror}"
            ) from None
        return PseudonymisationKey(secret, source=f"key file {Path(key_file).name}")
    if from_environment:
        return PseudonymisationKey(
            from_environment.strip().encode("utf-8"),
            source=f"environment variable {KEY_ENVIRONMENT_VARIABLE}",
        )
    raise PseudonymisationKeyError(
        "no pseudonymisation key: pass --key-file FILE or set "
        f"{KEY_ENVIRONMENT_VARIABLE} (at least {MINIMUM_KEY_BYTES} bytes); "
        "--demo uses a public key for synthetic data only"
    )
