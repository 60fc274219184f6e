"""Plain-English labels and sentences for comparisons with a reference group.

A disparity is called only when the confidence interval says so, and always with the
interval (DESIGN.md §2). Conventions, chosen once here so every page and report reads alike:

* **Significance labels** describe the number, not whether it is good or bad: "higher than
  White British", "lower than White British" or "no clear difference from White British",
  decided by whether the whole interval of the ratio lies above or below 1. The same words
  are used for measures where higher is better; whether that is good news is said elsewhere.
* **Ratios** are shown to 2 significant figures (3.6, 12, 0.48), rounding half away from zero.
  When 2 figures would make the shown numbers contradict the conclusion (a lower limit of
  1.04 shown as "1.0" under "higher than"), more figures are used, up to 4.
* **Ratios below 1** are written the same way as ratios above 1: "at 0.48 times the rate of
  White British people". We do not turn them into fractions ("about half") or invert the
  comparison, so the words always match the interval printed next to them.
* **Percentages** are whole numbers from 10% upwards and have one decimal place below 10%;
  a value that would round to 0% or 100% without being exactly that is shown with one
  decimal place, or as "less than 0.1%" / "more than 99.9%".
* **Confidence levels** are written as "95% CI" or "99.8% CI".
* **Groups** are written as "<group> people" ("Black or Black British people"), or "people
  from …" for labels such as "Any other ethnic group", following the GOV.UK Ethnicity facts
  and figures style guide. Pass ``group_people``/``reference_people`` to override.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

#: Significance label of the reference group's own row.
REFERENCE_GROUP = "reference group"
#: Significance label when no interval could be calculated (missing data, too few events).
NOT_CALCULATED = "not calculated"


def higher_than(reference: str) -> str:
    """Label for a group whose interval lies wholly above the reference: "higher than X"."""
    return f"higher than {reference}"


def lower_than(reference: str) -> str:
    """Label for a group whose interval lies wholly below the reference: "lower than X"."""
    return f"lower than {reference}"


def no_clear_difference(reference: str) -> str:
    """Label for a group whose interval includes the reference value."""
    return f"no clear difference from {reference}"


def significance_label(lower: float, upper: float, reference: str, null: float = 1.0) -> str:
    """Words for one interval compared with the value meaning "no difference" (``null``).

    ``null`` is 1 for a ratio and 0 for a difference. A missing limit gives "not calculated".
    An interval touching ``null`` exactly is "no clear difference".
    """
    return str(significance_labels([lower], [upper], reference, null)[0])


def significance_labels(
    lower: npt.ArrayLike, upper: npt.ArrayLike, reference: str, null: float = 1.0
) -> np.ndarray:
    """Vectorised :func:`significance_label`: an object array of labels."""
    lo = np.asarray(lower, dtype="float64")
    hi = np.asarray(upper, dtype="float64")
    missing = np.isnan(lo) | np.isnan(hi)
    return np.select(
        [missing, lo > null, hi < null],
        [NOT_CALCULATED, higher_than(reference), lower_than(reference)],
        default=no_clear_difference(reference),
    ).astype(object)


# ---------------------------------------------------------------------------------------------
# Number formatting
# ---------------------------------------------------------------------------------------------


def _round_half_up(value: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def format_significant(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant figures in plain notation: 3.6, 12, 0.048, 120.

    Rounds half away from zero on the decimal value (3.65 → "3.7"); keeps meaningful
    trailing zeros (3.0, 0.50); never uses scientific notation.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot format {value!r} as a number")
    if value == 0:
        return "0"
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    rounded = _round_half_up(value, decimals)
    if rounded != 0 and abs(rounded).adjusted() > math.floor(math.log10(abs(value))):
        decimals -= 1  # 9.96 → 10, not 10.0
        rounded = _round_half_up(value, decimals)
    return f"{rounded:.{max(decimals, 0)}f}"


def format_ratio_interval(
    ratio: float, lower: float, upper: float, digits: int = 2, max_digits: int = 4
) -> tuple[str, str, str]:
    """Ratio and limits as text, with enough figures that rounding never contradicts the
    conclusion: a "higher" lower limit never shows as 1 or less, a "lower" upper limit never
    as 1 or more, and a ratio other than 1 never shows as exactly "1.0" when the interval
    excludes 1."""
    for d in range(digits, max_digits + 1):
        texts = tuple(format_significant(v, d) for v in (ratio, lower, upper))
        shown = [float(t) for t in texts]
        if lower > 1 and shown[1] <= 1:
            continue
        if upper < 1 and shown[2] >= 1:
            continue
        return texts  # type: ignore[return-value]
    return texts  # type: ignore[return-value]


def format_percentage(percentage: float) -> str:
    """A percentage (0–100) as text: "42%", "4.6%", "less than 0.1%"."""
    if not math.isfinite(percentage):
        raise ValueError(f"cannot format {percentage!r} as a percentage")
    decimals = 0 if percentage >= 10 else 1
    text = f"{_round_half_up(percentage, decimals):.{decimals}f}"
    if percentage != 100 and float(text) == 100:
        text = f"{_round_half_up(percentage, 1):.1f}"
        if float(text) == 100:
            return "more than 99.9%"
    if percentage != 0 and float(text) == 0:
        return "less than 0.1%"
    return f"{text}%"


def format_confidence(confidence: float) -> str:
    """A confidence level as text: 0.95 → "95%", 0.998 → "99.8%" (95 and 99.8 also accepted)."""
    level = float(confidence)
    if level > 1:
        level /= 100
    if not 0 < level < 1:
        raise ValueError(f"confidence {confidence!r}: expected a level such as 0.95 or 0.998")
    return f"{round(level * 100, 6):g}%"


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------


def people_phrase(group: str) -> str:
    """How to refer to the people in an ethnic group in running text.

    "Black or Black British" → "Black or Black British people"; "Any other ethnic group" →
    "people from any other ethnic group"; "Mixed" → "people from the Mixed ethnic group";
    labels already ending in "people" are kept as they are.
    """
    label = str(group).strip()
    lowered = label.lower()
    if lowered.startswith("any other "):
        return "people from " + label[0].lower() + label[1:]
    if lowered in ("mixed", "other"):
        return f"people from the {label} ethnic group"
    if lowered.endswith(("group", "groups", "background", "backgrounds")):
        return f"people from the {label}"
    if lowered.endswith("people"):
        return label
    return f"{label} people"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_interval(ratio: float, lower: float, upper: float) -> bool:
    """True when the three numbers can be written; raise if they are inconsistent.

    Missing (None, NaN, pd.NA) or infinite values cannot be written: False.
    """
    try:
        values = [float(v) for v in (ratio, lower, upper)]
    except (TypeError, ValueError):
        return False
    if not all(math.isfinite(v) for v in values):
        return False
    if min(values) < 0:
        raise ValueError(f"ratio {ratio!r} ({lower!r} to {upper!r}): expected values >= 0")
    if not lower <= ratio <= upper:
        raise ValueError(
            f"ratio {ratio!r} is not inside its interval ({lower!r} to {upper!r}); "
            "expected lower <= ratio <= upper"
        )
    return True


def disparity_sentence(
    group: str,
    reference: str,
    ratio: float,
    lower: float,
    upper: float,
    verb_phrase: str,
    confidence: float = 0.95,
    *,
    group_people: str | None = None,
    reference_people: str | None = None,
) -> str:
    """One plain-English sentence comparing a group's rate with the reference group's.

    ``disparity_sentence("Black or Black British", "White British", 3.6, 3.1, 4.2,
    "were detained")`` gives "Black or Black British people were detained at 3.6 times the
    rate of White British people (95% CI 3.1 to 4.2)."

    Ratios below 1 read "at 0.48 times the rate of …"; an interval including 1 reads "at a
    rate not clearly different from that of …" with the ratio and interval in brackets; a
    group with no events reads "No … were detained: a lower rate than …" (or "a rate not
    clearly different from that of …"). If the ratio or a limit is missing or infinite the
    sentence says the groups could not be compared.

    Args:
        group, reference: group labels, e.g. "Black or Black British", "White British".
        ratio, lower, upper: the rate ratio and its confidence limits.
        verb_phrase: what happened, in the past tense plural, e.g. "were detained".
        confidence: the interval's level (0.95 or 0.998, say).
        group_people, reference_people: override the "… people" wording of the groups.
    """
    if group == reference:
        raise ValueError(f"group {group!r} is the reference group; there is nothing to compare")
    subject = group_people or people_phrase(group)
    other = reference_people or people_phrase(reference)
    if not _check_interval(ratio, lower, upper):
        return f"{_capitalise(subject)} could not be compared with {other} for this measure."
    ci = f"{format_confidence(confidence)} CI"
    r, lo, hi = format_ratio_interval(ratio, lower, upper)
    if ratio == 0:
        how = "a lower rate than" if upper < 1 else "a rate not clearly different from that of"
        return f"No {subject} {verb_phrase}: {how} {other} (rate ratio 0, {ci} 0 to {hi})."
    if lower > 1 or upper < 1:
        return (
            f"{_capitalise(subject)} {verb_phrase} at {r} times the rate of {other} "
            f"({ci} {lo} to {hi})."
        )
    return (
        f"{_capitalise(subject)} {verb_phrase} at a rate not clearly different from that of "
        f"{other} (rate ratio {r}, {ci} {lo} to {hi})."
    )


def proportion_sentence(
    group: str,
    reference: str,
    group_percentage: float,
    reference_percentage: float,
    ratio: float,
    lower: float,
    upper: float,
    verb_phrase: str,
    confidence: float = 0.95,
    *,
    group_people: str | None = None,
    reference_people: str | None = None,
) -> str:
    """One plain-English sentence comparing a group's percentage with the reference group's.

    ``proportion_sentence("Black or Black British", "White British", 42, 18, 2.3, 1.9, 2.8,
    "were referred by the police")`` gives "42% of Black or Black British people were
    referred by the police, compared with 18% of White British people (2.3 times as high,
    95% CI 1.9 to 2.8)."

    An interval including 1 reads "(not clearly different: ratio 1.1, 95% CI 0.84 to 1.5)";
    a ratio of 0 whose interval lies below 1 reads "(clearly lower: ratio 0, 95% CI 0 to
    0.41)"; missing or infinite values read "(the difference could not be assessed)".

    Args:
        group, reference: group labels.
        group_percentage, reference_percentage: the two percentages (0–100).
        ratio, lower, upper: the ratio of the two proportions and its confidence limits.
        verb_phrase: what the percentage counts, past tense plural, e.g. "were referred by
            the police".
        confidence: the interval's level.
        group_people, reference_people: override the "… people" wording of the groups.
    """
    if group == reference:
        raise ValueError(f"group {group!r} is the reference group; there is nothing to compare")
    subject = group_people or people_phrase(group)
    other = reference_people or people_phrase(reference)
    opening = (
        f"{format_percentage(group_percentage)} of {subject} {verb_phrase}, compared with "
        f"{format_percentage(reference_percentage)} of {other}"
    )
    opening = _capitalise(opening)
    if not _check_interval(ratio, lower, upper):
        return f"{opening} (the difference could not be assessed)."
    ci = f"{format_confidence(confidence)} CI"
    r, lo, hi = format_ratio_interval(ratio, lower, upper)
    if ratio == 0 and upper < 1:
        return f"{opening} (clearly lower: ratio 0, {ci} 0 to {hi})."
    if lower > 1 or upper < 1:
        return f"{opening} ({r} times as high, {ci} {lo} to {hi})."
    return f"{opening} (not clearly different: ratio {r}, {ci} {lo} to {hi})."
