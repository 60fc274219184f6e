"""Rounding of published counts to a base (nearest 5 by default), halves rounded up.

NHS England's ``suppress()`` computes ``base * round(x / base)``. For whole-number counts
and base 5, ``x / 5`` is never exactly one half, so Python's round-half-to-even never comes
into play and the result equals round-half-up. This module states the rule explicitly
(round half up: 2.5 → 5, 7.5 → 10, 12.5 → 15) so that it does not depend on a language's
tie-breaking, and so that non-integer inputs (which :func:`pcref.disclosure.apply` rejects
for counts, but other callers may round) get a documented answer.
"""

from __future__ import annotations

import numpy as np


def round_to_base(values: object, base: int = 5) -> np.ndarray:
    """Round non-negative ``values`` to the nearest multiple of ``base``, halves up.

    ``floor(x / base + 1/2) * base``, computed in exact rational steps for integer inputs.
    NaN stays NaN. Returns float64 (so that NaN can be carried); callers cast to integers.

    >>> round_to_base([0, 2, 2.5, 7, 8, 12.5, 13], 5).tolist()
    [0.0, 0.0, 5.0, 5.0, 10.0, 15.0, 15.0]
    """
    if isinstance(base, bool) or not isinstance(base, int | np.integer) or base < 1:
        raise ValueError(f"rounding base {base!r}: expected a whole number >= 1")
    x = np.asarray(values, dtype="float64")
    if np.any(x[~np.isnan(x)] < 0):
        raise ValueError("round_to_base: expected values >= 0 (counts)")
    # floor((2x + base) / (2 base)) * base avoids the inexact 0.5 addition of x/base + 0.5
    # for large counts; 2x + base is exact in float64 for counts below 2**52.
    return np.floor((2.0 * x + base) / (2.0 * base)) * base
