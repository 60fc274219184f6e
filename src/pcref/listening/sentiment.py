"""Three-point sentiment: positive, neutral (including mixed) or negative.

The QDC project labels sentiment on five points (1 very positive, 2 positive, 3 neutral or
mixed, 4 negative, 5 very negative) and, on NHS England's qualitative analysts' advice,
recommends reporting three (``../shared/reference/feedback/README.md``, "Sentiment scale"):
1-2 positive, 3 neutral/mixed, 4-5 negative. :func:`from_five_point` is that mapping.

:func:`rule_sentiment` is the transparent baseline: it counts positive and negative words
(a negation — "not", "never", "wasn't" … — within the three words before a word flips it)
and calls a comment with both kinds *neutral* unless one side outweighs the other by two or
more, because the QDC labellers mark mixed comments 3. The trainable model in
:mod:`pcref.listening.model` does better and is scored against it.
"""

from __future__ import annotations

import math
import re

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"
#: The three points, in the order the dashboards show them.
SENTIMENTS = (POSITIVE, NEUTRAL, NEGATIVE)

_FIVE_TO_THREE = {1: POSITIVE, 2: POSITIVE, 3: NEUTRAL, 4: NEGATIVE, 5: NEGATIVE}

_POSITIVE_WORDS = re.compile(
    r"\b(?:good|great|excellent|brilliant|fantastic|amazing|wonderful|lovely|kind|kindness|"
    r"caring|helpful|friendly|polite|professional|thank\w*|grateful|happy|pleased|perfect|"
    r"superb|outstanding|best|nice|quick|quickly|prompt|efficient|reassur\w*|support\w*|"
    r"respectful|compassionate|listened|understanding|clean|comfortable|safe|fab|love|"
    r"loved|well|easy|clear|calm|patient|attentive|gentle|smooth|on time)\b",
    re.IGNORECASE,
)
_NEGATIVE_WORDS = re.compile(
    r"\b(?:bad|poor|poorly|terrible|awful|horrible|rude|unhelpful|unprofessional|"
    r"disgust\w*|disgrace\w*|appalling|dreadful|worst|slow|late|delay\w*|wait\w*|long|"
    r"ignored|dismissive|cold|dirty|unsafe|scared|upset\w*|angry|frustrat\w*|disappoint\w*|"
    r"unhappy|useless|lack|lacking|never|nobody|cancel\w*|wrong|mistake\w*|complain\w*|"
    r"difficult|hard|struggl\w*|problem\w*|issue\w*|shocking|neglect\w*|confus\w*|"
    r"lied|rushed|uncaring|incompetent|improve\w*|better|more|should|could|need\w*)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|n't|dont|didnt|wasnt|werent|isnt|cant|couldnt|wouldnt|without|"
    r"hardly|nothing)\b(?:\W+\w+){0,2}\W*$",
    re.IGNORECASE,
)


def from_five_point(score: object) -> str | None:
    """The QDC five-point score as three points; ``None`` for blank or out-of-scale values."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    try:
        number = float(score)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return _FIVE_TO_THREE.get(int(number)) if number.is_integer() else None


def _count(pattern: re.Pattern[str], text: str) -> tuple[int, int]:
    """(plain, negated) counts of the pattern's words, negated when a negation precedes."""
    plain = negated = 0
    for found in pattern.finditer(text):
        before = text[max(0, found.start() - 40) : found.start()].replace("n't", " n't")
        if _NEGATION.search(before):
            negated += 1
        else:
            plain += 1
    return plain, negated


def rule_sentiment(text: str) -> str:
    """Three-point sentiment of one comment by counting words; neutral when none or mixed."""
    text = text.replace("\u2019", "'")
    positive, positive_negated = _count(_POSITIVE_WORDS, text)
    negative, negative_negated = _count(_NEGATIVE_WORDS, text)
    positive, negative = positive + negative_negated, negative + positive_negated
    if positive == negative or (positive and negative and abs(positive - negative) < 2):
        return NEUTRAL
    return POSITIVE if positive > negative else NEGATIVE
