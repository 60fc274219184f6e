"""Confidence limits for counts, proportions and means, as used by PHE indicator methods.

These are the building blocks of :mod:`pcref.stats.crude` and
:mod:`pcref.stats.standardisation`. All functions are vectorised: they take scalars or
array-likes and return float numpy arrays of the broadcast shape, with NaN wherever an input
is missing or a limit is undefined.

Sources: PHEindicatormethods v2.1.0 (``R/utils.R``: ``byars_lower``, ``byars_upper``,
``wilson_lower``, ``wilson_upper``; ``R/Means.R``) and the Fingertips Public Health Technical
Guidance ("Byar's method for counts of 10 or more, exact method below 10; Wilson score for
proportions"). Formulas were re-implemented from the published descriptions (see
``docs/methods/crude-and-standardised.md``); no R code was copied.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

ArrayLike = npt.ArrayLike

#: Two-sided 95% normal quantile, Φ⁻¹(0.975).
Z95: float = 1.959963984540054
#: Two-sided 99.8% normal quantile, Φ⁻¹(0.999).
Z998: float = 3.090232306167813

#: Counts below this use the exact (χ²) Poisson limits; at or above it, Byar's approximation.
EXACT_BELOW: int = 10


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile Φ⁻¹(c + (1 − c)/2) for a confidence level c."""
    if not 0 < confidence <= 1:
        raise ValueError(f"confidence {confidence!r}: expected a proportion in (0, 1]")
    return float(stats.norm.ppf(confidence + (1 - confidence) / 2))


def _as_float(values: ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype="float64")


def byars_lower(count: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Byar's lower limit for a Poisson count O: ``O·(1 − 1/(9O) − z/(3√O))³``.

    A negative result (small O at high confidence, e.g. O = 1 at 99.8%) is undefined and
    returned as NaN, as PHE does; O = 0 gives NaN. PHE only uses Byar's for O ≥ 10.
    """
    o = _as_float(count)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
    return np.where(lower < 0, np.nan, lower)


def byars_upper(count: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Byar's upper limit for a Poisson count O: ``(O+1)·(1 − 1/(9(O+1)) + z/(3√(O+1)))³``."""
    o1 = _as_float(count) + 1
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        return o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3


def exact_poisson_lower(count: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Exact (Garwood, χ²) lower limit for a Poisson count: ``χ²_{(1−c)/2, 2O} / 2``; 0 at O = 0.

    ``scipy.stats.chi2.ppf(p, 0)`` is NaN where R's ``qchisq`` gives 0, so O = 0 is
    special-cased.
    """
    o = _as_float(count)
    with np.errstate(invalid="ignore"):
        lower = stats.chi2.ppf((1 - confidence) / 2, 2 * o) / 2
    return np.where(o == 0, 0.0, lower)


def exact_poisson_upper(count: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Exact (Garwood, χ²) upper limit for a Poisson count: ``χ²_{c+(1−c)/2, 2O+2} / 2``."""
    o = _as_float(count)
    with np.errstate(invalid="ignore"):
        return stats.chi2.ppf(confidence + (1 - confidence) / 2, 2 * o + 2) / 2


def poisson_method(count: ArrayLike) -> np.ndarray:
    """Which count method PHE uses per value: "Exact" below 10, "Byars" from 10, None if missing."""
    o = _as_float(count)
    method = np.where(o < EXACT_BELOW, "Exact", "Byars").astype(object)
    method[np.isnan(o)] = None
    return method


def poisson_limits(count: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Limits for a Poisson count using PHE's rule: exact below 10, Byar's from 10 upwards."""
    o = _as_float(count)
    exact = o < EXACT_BELOW
    with np.errstate(invalid="ignore"):
        lower = np.where(exact, exact_poisson_lower(o, confidence), byars_lower(o, confidence))
        upper = np.where(exact, exact_poisson_upper(o, confidence), byars_upper(o, confidence))
    return lower, upper


def wilson_lower(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Wilson score lower limit (no continuity correction) for the proportion x/n.

    ``(2x + z² − z·√(z² + 4x(1 − x/n))) / (2(n + z²))``. Exactly 0 when x = 0.
    A confidence of 1 gives 0 (the interval [0, 1]), as PHE does.
    """
    xv, nv = _as_float(x), _as_float(n)
    if confidence == 1:
        return np.where(np.isnan(xv) | np.isnan(nv), np.nan, 0.0)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = (2 * xv + z**2 - z * np.sqrt(z**2 + 4 * xv * (1 - xv / nv))) / (2 * (nv + z**2))
    return np.where(xv == 0, 0.0 * nv, lower)


def wilson_upper(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Wilson score upper limit (no continuity correction) for the proportion x/n.

    ``(2x + z² + z·√(z² + 4x(1 − x/n))) / (2(n + z²))``. Exactly 1 when x = n.
    """
    xv, nv = _as_float(x), _as_float(n)
    if confidence == 1:
        return np.where(np.isnan(xv) | np.isnan(nv), np.nan, 1.0)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = (2 * xv + z**2 + z * np.sqrt(z**2 + 4 * xv * (1 - xv / nv))) / (2 * (nv + z**2))
    return np.where(xv == nv, 1.0, upper)


def t_mean_limits(
    mean: ArrayLike, sd: ArrayLike, count: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Student's t limits for a mean: ``mean ∓ t_{(1+c)/2, n−1} · sd/√n`` (PHE ``phe_mean``)."""
    m, s, k = _as_float(mean), _as_float(sd), _as_float(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = stats.t.ppf(confidence + (1 - confidence) / 2, k - 1)
        half_width = t * s / np.sqrt(k)
    return m - half_width, m + half_width


def limit_column_names(levels: tuple[float, ...]) -> list[tuple[float, str, str]]:
    """Output column names for each confidence level, shared by every pcref.stats method.

    One level gives ``lower``/``upper``. The PHE pair (0.95, 0.998) gives ``lower``/``upper``
    for 95% and ``lower_998``/``upper_998`` for 99.8%.
    """
    if len(levels) == 1:
        return [(levels[0], "lower", "upper")]
    return [(levels[0], "lower", "upper"), (levels[1], "lower_998", "upper_998")]


def confidence_label(levels: tuple[float, ...]) -> str:
    """Human-readable confidence metadata, e.g. "95%" or "95%, 99.8%" (as PHE reports it)."""
    return ", ".join(f"{level * 100:g}%" for level in levels)
