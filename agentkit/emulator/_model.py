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

__all__ = ["RuleModel", "synth_audio"]

_STOP = frozenset(
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
    ]
)
# verbs too generic to decide between functions on their own
_WEAK = frozenset(["get", "fetch", "do", "make", "run", "check", "set", "find", "show", "tell"])
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_AFTER_PREPOSITION = re.compile(
    r"\b(?:in|for|at|named|called)\s+(?:the\s+)?"
    r"([A-Za-z][\w-]*(?:\s+(?!(?:and|then|please|to|at|for|with)\b)[A-Za-z][\w-]*)?)",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(r"\band\b|\bthen\b|[,;\n]|\.(?!\d)|\d+\.\s", re.IGNORECASE)


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower().replace("_", " ").replace("-", " "))]


def _content(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t not in _STOP]


@dataclass(frozen=True)
class Match:
    """One function the utterance asks for, with the arguments found in it."""

    name: str
    args: dict[str, Any]


class RuleModel:
    """Deterministic stand-in for Gemini: pass an instance as ``Emulator(model=...)``.

    ``threshold`` is the share of a function name's words that must appear in a clause of
    the utterance for the function to be called.
    """

    def __init__(self, *, threshold: float = 0.6, words_per_chunk: int = 4) -> None:
        self.threshold = threshold
        self.words_per_chunk = words_per_chunk

    # --- function calling -------------------------------------------------------------
    def match_functions(self, text: str, functions: Mapping[str, Mapping[str, Any]]) -> list[Match]:
        """Which declared functions the text asks for, one per clause, in order."""
        if not functions or not text.strip():
            return []
        found: list[Match] = []
        for clause in _CLAUSE_SPLIT.split(text):
            if clause is None or not clause.strip():
                continue
            best = self._best(clause, functions)
            if best is not None and all(m.name != best for m in found):
                found.append(Match(best, self.fill_args(clause, text, functions[best])))
        return found

    def _best(self, clause: str, functions: Mapping[str, Mapping[str, Any]]) -> str | None:
        words = set(_tokens(clause))
        best: tuple[float, int, float, str] | None = None
        for name, decl in functions.items():
            name_words = _content(_tokens(name)) or _tokens(name)
            strong = [w for w in name_words if w not in _WEAK] or name_words
            hits = sum(w in words for w in strong)
            score = hits / len(strong)
            desc = set(_content(_tokens(str(decl.get("description") or ""))))
            desc_score = len(desc & words) / len(desc) if desc else 0.0
            if score < self.threshold and not (score > 0 and desc_score >= 0.5):
                continue
            # full name matches first, then the more specific name, then the description
            key = (score, hits, desc_score, name)
            if best is None or key[:3] > best[:3]:
                best = key
        return None if best is None else best[3]

    def fill_args(self, clause: str, text: str, decl: Mapping[str, Any]) -> dict[str, Any]:
        """Arguments from the words: enum values, numbers, names that appear, else defaults."""
        schema = decl.get("parameters") or decl.get("parametersJsonSchema") or {}
        props: Mapping[str, Any] = schema.get("properties") or {}
        numbers = _NUMBER.findall(clause) or _NUMBER.findall(text)
        nouns = [w for w in _content(_tokens(str(decl.get("name") or ""))) if w not in _WEAK]
        args: dict[str, Any] = {}
        for pname, pschema in props.items():
            if not isinstance(pschema, Mapping):
                continue
            value = self._value_for(pname, _concrete(pschema), clause, numbers, nouns)
            if value is not None:
                args[pname] = value
            elif "default" in pschema:
                args[pname] = pschema["default"]
        return args

    def _value_for(
        self,
        pname: str,
        schema: Mapping[str, Any],
        clause: str,
        numbers: list[str],
        nouns: list[str],
    ) -> Any:
        lowered = clause.lower()
        kind = str(schema.get("type") or "string").upper()
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            for option in sorted((str(o) for o in enum), key=len, reverse=True):
                spoken = option.lower().replace("_", " ")
                if re.search(rf"\b{re.escape(spoken)}\b", lowered):
                    return option
            return None
        if kind in ("NUMBER", "INTEGER"):
            if not numbers:
                return None
            raw = numbers.pop(0)
            return int(float(raw)) if kind == "INTEGER" else float(raw)
        if kind == "BOOLEAN":
            if re.search(r"\b(on|yes|true|enable|start)\b", lowered):
                return True
            if re.search(r"\b(off|no|false|disable|stop)\b", lowered):
                return False
            return None
        if kind == "STRING":
            hints = " ".join(str(schema.get(k) or "") for k in ("description", "example", "title"))
            for candidate in re.findall(r"['\"]?([A-Za-z][\w ]*)['\"]?", hints):
                for option in re.split(r",|\bor\b|e\.g\.|:", candidate):
                    option = option.strip().lower()
                    if (
                        option
                        and option not in _STOP
                        and len(option) > 2
                        and re.search(rf"\b{re.escape(option)}\b", lowered)
                        and option not in pname.lower().replace("_", " ")
                    ):
                        return option
            # "in the living room" / "for Paris": the words after a preposition
            match = _AFTER_PREPOSITION.search(clause)
            if match and match.group(1).lower() not in _STOP:
                return match.group(1)
            # "the kitchen light": the word before one of the function's nouns
            for noun in nouns:
                match = re.search(rf"\b(?:the|my|a)\s+([a-z][\w-]*)\s+{noun}s?\b", lowered)
                if match and match.group(1) not in _STOP and _stem(match.group(1)) not in nouns:
                    return match.group(1)
        return None

    # --- words ---------------------------------------------------------------------------
    def reply(self, text: str, *, builtin: set[str] | frozenset[str] = frozenset()) -> str:
        """The spoken/text answer to a user turn with no function to call."""
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


def _concrete(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``anyOf: [{type: integer}, {type: null}]`` or ``type: [integer, null]`` -> the integer."""
    kind = schema.get("type")
    if isinstance(kind, list):
        real = [k for k in kind if str(k).lower() != "null"]
        return {**schema, "type": real[0] if real else "string"}
    options = schema.get("anyOf")
    if not kind and isinstance(options, list):
        for option in options:
            if isinstance(option, Mapping) and str(option.get("type", "")).lower() != "null":
                return {**option, **{k: v for k, v in schema.items() if k != "anyOf"}}
    return schema


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
