"""Word helpers shared by the rule-based model's matching and argument filling."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["STOP", "WEAK", "content", "spell_units", "stem", "tokens"]

STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "for",
        "in",
        "at",
        "by",
        "with",
        "please",
        "my",
        "me",
        "your",
        "our",
        "is",
        "are",
        "be",
        "it",
        "this",
        "that",
        "and",
        "or",
        "can",
        "could",
        "would",
        "you",
        "i",
        "we",
        "do",
        "s",
    ]
)
# verbs too generic to decide between functions on their own
WEAK = frozenset(
    ["get", "fetch", "do", "make", "run", "check", "set", "find", "show", "tell", "list"]
)
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_SYMBOLS = (
    (re.compile(r"°\s*c\b", re.IGNORECASE), " degrees celsius"),
    (re.compile(r"°\s*f\b", re.IGNORECASE), " degrees fahrenheit"),
    (re.compile(r"°"), " degrees"),
    (re.compile(r"%"), " percent"),
)


def spell_units(text: str) -> str:
    """``21°C`` -> ``21 degrees celsius``, ``40%`` -> ``40 percent``."""
    for pattern, words in _SYMBOLS:
        text = pattern.sub(words, text)
    return text


def stem(word: str) -> str:
    """A crude plural stem: ``lights`` -> ``light`` (enough to compare words)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Lower-case stemmed words; ``_`` and ``-`` separate words."""
    lowered = spell_units(text).lower().replace("_", " ").replace("-", " ")
    return [stem(w) for w in _WORD.findall(lowered)]


def content(words: Sequence[str]) -> list[str]:
    """The words that carry meaning (no stop words)."""
    return [t for t in words if t not in STOP]
