"""Vectorised sampling helpers shared by the generator's stages (no per-row Python loops)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np

EPOCH = dt.date(1970, 1, 1)


def day(date: dt.date | str) -> int:
    """Days since 1970-01-01 (the integer form dates take inside the generator)."""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    return (date - EPOCH).days


def date_of(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(days))


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """An independent generator for one stage (and chunk) of a run, fixed by the seed."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), *map(int, stream)]))


def choice_from(mapping: Mapping[str, float], n: int, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws from a weights mapping: (index array, vocabulary of keys as strings)."""
    keys = np.array([str(k) for k in mapping], dtype=object)
    p = np.array([float(v) for v in mapping.values()])
    return rng.choice(len(keys), size=n, p=p / p.sum()), keys


def categorical_rows(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of a (rows × categories) probability matrix (rows need not sum to 1)."""
    cum = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cum[:, -1]
    return (cum < u[:, None]).sum(axis=1)


def lognormal_days(spec: Sequence[float], n: int, rng: np.random.Generator,
                   multiplier: np.ndarray | float = 1.0) -> np.ndarray:
    """Lognormal durations in (fractional) days: ``[median, sigma]`` × multiplier on the median."""
    median, sigma = float(spec[0]), float(spec[1])
    return median * np.asarray(multiplier) * np.exp(sigma * rng.standard_normal(n))


def grouped_choice(candidate_key: np.ndarray, candidate_weight: np.ndarray,
                   draw_key: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each draw, pick a candidate with the same key with probability ∝ weight.

    ``candidate_key`` must be sorted ascending. Returns candidate positions, or -1 where the
    key has no candidate with positive weight.
    """
    if len(draw_key) == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(candidate_weight, dtype=float)
    start = np.searchsorted(candidate_key, draw_key, side="left")
    end = np.searchsorted(candidate_key, draw_key, side="right")
    has = end > start
    base = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    top = np.where(has, cum[np.maximum(end - 1, 0)], 0.0)
    total = top - base
    ok = has & (total > 0)
    target = base + rng.random(len(draw_key)) * total
    pick = np.searchsorted(cum, target, side="right")
    pick = np.clip(pick, start, np.maximum(end - 1, start))
    return np.where(ok, pick, -1)


def rank_within(keys: np.ndarray) -> np.ndarray:
    """0-based position of each row within its run of equal keys (keys sorted)."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, keys[1:] != keys[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - first


def seasonal_offsets(u: np.ndarray, month_weights: Sequence[float], year_days: np.ndarray
                     ) -> np.ndarray:
    """Map uniforms in [0, 1) to day offsets in a financial year weighted by month (Apr..Mar)."""
    lengths = np.array([30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31], dtype=float)
    w = np.asarray(month_weights, dtype=float) * lengths
    cdf = np.r_[0.0, np.cumsum(w) / w.sum()]
    edges = np.r_[0.0, np.cumsum(lengths)] / lengths.sum()
    return np.floor(np.interp(u, cdf, edges) * year_days).astype(np.int64).clip(0, year_days - 1)


def clock_times(n: int, rng: np.random.Generator, kind: str = "office") -> np.ndarray:
    """Times of day in seconds: office hours on a 15-minute grid, or any time of day."""
    if kind == "office":
        return (9 * 3600 + rng.integers(0, 32, n) * 900).astype(np.int32)
    if kind == "evening":  # emergencies: more in the afternoon and evening
        hours = rng.choice(24, size=n, p=_EMERGENCY_HOURS)
        return (hours * 3600 + rng.integers(0, 60, n) * 60).astype(np.int32)
    return (rng.integers(0, 24 * 60, n) * 60).astype(np.int32)


_EMERGENCY_HOURS = np.array([2, 1.5, 1, 1, 1, 1, 1.5, 2, 3, 4, 5, 5.5, 5.5, 5.5, 6, 6, 6, 6,
                             6, 6, 5.5, 5, 4, 3], dtype=float)
_EMERGENCY_HOURS /= _EMERGENCY_HOURS.sum()


def stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    floor = np.floor(x)
    return (floor + (rng.random(x.shape) < (x - floor))).astype(np.int64)
