"""The default rule-based model: deterministic words, function matching, argument filling.

Everything here is pure: the connection feeds it text and declarations and sends what it
returns. It cannot understand speech or search the web, and it says so instead of
inventing an answer.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._args import fill_args
from ._words import WEAK, content, tokens

__all__ = ["Match", "RuleModel", "synth_audio"]

# clauses: "and", "then", commas, semicolons, sentence ends, list numbers ("1. ")
_CLAUSE_SPLIT = re.compile(r"\band\b|\bthen\b|[,;\n]|(?m:^\s*\d+[.)]\s)|\.(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    """One function the utterance asks for, with the arguments found in it."""

    name: str
    args: dict[str, Any]


class RuleModel:
    """Deterministic stand-in for Gemini: pass an instance as ``Emulator(model=...)``.

    Function calling works clause by clause. The utterance is split on "and", "then",
    commas, semicolons and sentence ends. Each piece calls the declared function whose
    name it matches best: ``threshold`` is the share of the name's words (generic verbs
    such as "get", "set" or "list" aside) that must appear in it. A word of the
    function's description stands in for a missing name word, so "close the blinds"
    calls ``close_cover`` described as "Close blinds, curtains, windows or a garage
    door". A piece that calls nothing belongs to the clause before it ("... and make it
    50 percent"), or to the first clause when it comes first. Arguments come from the
    function's own clause only (see ``agentkit.emulator._args`` for the rules), so a
    number said for the thermostat never fills the light's brightness.
    """

    def __init__(self, *, threshold: float = 0.6, words_per_chunk: int = 4) -> None:
        self.threshold = threshold
        self.words_per_chunk = words_per_chunk

    # --- function calling -------------------------------------------------------------
    def match_functions(self, text: str, functions: Mapping[str, Mapping[str, Any]]) -> list[Match]:
        """Which declared functions the text asks for, one call per clause, in order.

        The same function may be called twice with different arguments ("turn on the
        kitchen light, then turn on the bedroom light"); identical calls are made once.
        """
        if not functions or not text.strip():
            return []
        clauses: list[tuple[str, list[str]]] = []  # function, its pieces of the utterance
        lead: list[str] = []  # pieces before the first match
        for piece in _CLAUSE_SPLIT.split(text):
            if piece is None or not piece.strip():
                continue
            best = self._best(piece, functions)
            if best is not None:
                clauses.append((best, [*lead, piece]))
                lead = []
            elif clauses:
                clauses[-1][1].append(piece)
            else:
                lead.append(piece)
        found: list[Match] = []
        for name, pieces in clauses:
            match = Match(name, self.fill_args(" , ".join(pieces), functions[name]))
            if match not in found:
                found.append(match)
        return found

    def _best(self, clause: str, functions: Mapping[str, Mapping[str, Any]]) -> str | None:
        words = set(content(tokens(clause)))
        best: tuple[float, int, float, str] | None = None
        for name, decl in functions.items():
            name_words = content(tokens(name)) or tokens(name)
            strong = [w for w in name_words if w not in WEAK] or name_words
            hits = sum(w in words for w in strong)
            if not hits:
                continue
            desc = set(content(tokens(str(decl.get("description") or ""))))
            synonyms = desc - set(name_words) - WEAK
            # a description word said in the clause stands in for a missing name word
            covered = hits + min(len(synonyms & words), len(strong) - hits)
            score = covered / len(strong)
            desc_score = len(desc & words) / len(desc) if desc else 0.0
            if score < self.threshold and desc_score < 0.5:
                continue
            # the better-covered name first, then the more name words said, then the description
            key = (score, hits, desc_score, name)
            if best is None or key[:3] > best[:3]:
                best = key
        return None if best is None else best[3]

    def fill_args(
        self, clause: str, decl: Mapping[str, Any], text: str | None = None
    ) -> dict[str, Any]:
        """Arguments found in ``clause``: enum values, numbers, names, else defaults.

        ``text`` (the whole utterance) is accepted for compatibility and not used: a
        function's arguments come from its own clause only.
        """
        nouns = [w for w in content(tokens(str(decl.get("name") or ""))) if w not in WEAK]
        return fill_args(clause, decl, nouns)

    # --- words ---------------------------------------------------------------------------
    def reply(self, text: str, *, builtin: set[str] | frozenset[str] = frozenset()) -> str:
        """The spoken/text answer to a user turn with no function to call."""
        if not text.strip():  # e.g. an image on its own: there are no words to echo
            return (
                "I received your input, but it holds no text, and I am the agentkit "
                "emulator's rule-based model, so I cannot say anything about it."
            )
        value = _arithmetic(text)
        if value is not None:
            return f"The answer is {value}."
        if "googleSearch" in builtin and re.search(r"\?|search|look up|when|who", text, re.I):
            return (
                "I searched for that, but I am the offline agentkit emulator, so I have "
                "no search results to share."
            )
        snippet = " ".join(text.split())[:120]
        return (
            f'You said: "{snippet}". I am the agentkit emulator\'s rule-based model, '
            "so this is a canned reply."
        )

    def audio_reply(self, seconds: float) -> str:
        return (
            f"I heard {seconds:.1f} seconds of audio, but I am the offline agentkit emulator "
            "and cannot recognise speech."
        )

    def acknowledge(self, names: Sequence[str]) -> str:
        """What the model says while NON_BLOCKING calls run."""
        return "I've started " + ", ".join(n.replace("_", " ") for n in names) + "."

    def summarise(self, responses: Sequence[Mapping[str, Any]]) -> str:
        """A sentence built from function responses."""
        parts = []
        for item in responses:
            name = str(item.get("name") or "the function").replace("_", " ")
            body = item.get("response") or {}
            if isinstance(body, Mapping) and "error" in body:
                parts.append(f"{name} failed: {_render(body['error'])}")
            elif isinstance(body, Mapping) and "output" in body:
                parts.append(f"{name} returned {_render(body['output'])}")
            else:
                parts.append(f"{name} returned {_render(body)}")
        return "Done: " + "; ".join(parts) + "." if parts else "Done."

    def chunks(self, text: str) -> list[str]:
        """Split a reply into streamed pieces (each keeps its trailing space)."""
        words = text.split(" ")
        size = max(1, self.words_per_chunk)
        out = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
        return [piece + (" " if i < len(out) - 1 else "") for i, piece in enumerate(out)]

    def code_for(self, text: str) -> tuple[str, str]:
        """Code-execution parts: the code shown and its (honest) output."""
        expr = _find_expression(text)
        if expr is not None:
            return f"print({expr})", f"{_arithmetic(expr)}\n"
        return (
            f"# request: {' '.join(text.split())[:80]}\n"
            "print('offline emulator: this code was not run')",
            "offline emulator: this code was not run\n",
        )


def _render(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_render(v)}" for k, v in value.items()) or "nothing"
    if isinstance(value, list):
        return ", ".join(_render(v) for v in value) or "nothing"
    return str(value)


_OPS: dict[type, Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
}
_EXPR = re.compile(r"[-+*/().\d\s^]{3,}")


def _find_expression(text: str) -> str | None:
    for candidate in _EXPR.findall(text):
        candidate = candidate.strip().replace("^", "**")
        if re.search(r"\d\s*[-+*/]", candidate) and _arithmetic(candidate) is not None:
            return str(candidate)
    return None


def _arithmetic(text: str) -> int | float | None:
    expr = text if re.fullmatch(r"[-+*/().\d\s]+", text.strip()) else _find_expression(text)
    if expr is None:
        return None
    try:
        node = ast.parse(expr.strip(), mode="eval").body
        return _eval(node)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None


def _eval(node: ast.AST) -> int | float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ValueError("exponent too large")
        result: int | float = _OPS[type(node.op)](left, right)
        return result
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        value: int | float = _OPS[type(node.op)](_eval(node.operand))
        return value
    raise ValueError("unsupported expression")


def synth_audio(text: str, *, rate: int = 24_000, word_seconds: float = 0.12) -> bytes:
    """Deterministic PCM16LE: one short tone per word, pitch derived from the word."""
    samples = bytearray()
    for word in text.split():
        freq = 180 + (sum(map(ord, word)) % 40) * 10
        n = int(rate * word_seconds)
        for i in range(n):
            envelope = min(1.0, i / 200, (n - i) / 200)
            value = int(8000 * envelope * math.sin(2 * math.pi * freq * i / rate))
            samples += struct.pack("<h", value)
        samples += bytes(int(rate * 0.03) * 2)  # a short gap between words
    return bytes(samples)
