"""Setup validation: the model table (live-protocol §8.5), field rules and close codes.

The real service refuses a few fields in every mode (``transparent``, ``safetySettings``,
``additionalProperties``, transcription configs nested in ``generationConfig``, v1alpha-only
options on other versions). ``strict=True`` refuses *every* unknown field the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._wire import INVALID_ARGUMENT, SetupRefused, camel, normalise

__all__ = ["MODELS", "ModelInfo", "validate_setup"]


@dataclass(frozen=True)
class ModelInfo:
    """What one Live model accepts."""

    native_audio: bool = False
    search: bool = True
    functions: bool = True
    async_functions: bool = True
    code_execution: bool = True
    url_context: bool = True
    context_window: int = 32_768
    text_refusal: tuple[int, str] = (1007, "Cannot extract voices from a non-audio request")
    retired: bool = False


_NATIVE = ModelInfo(
    native_audio=True, code_execution=False, url_context=False, context_window=131_072
)

MODELS: dict[str, ModelInfo] = {
    "gemini-2.0-flash-live-001": ModelInfo(),
    "gemini-2.5-flash-live-preview": ModelInfo(),
    "gemini-live-2.5-flash-preview": ModelInfo(retired=True),
    "gemini-2.5-flash-preview-native-audio-dialog": _NATIVE,
    "gemini-2.5-flash-exp-native-audio-thinking-dialog": ModelInfo(
        native_audio=True,
        functions=False,
        async_functions=False,
        code_execution=False,
        url_context=False,
        context_window=131_072,
    ),
    "gemini-2.5-flash-native-audio-preview-09-2025": _NATIVE,
    "gemini-2.5-flash-native-audio-preview-12-2025": _NATIVE,
    "gemini-2.5-flash-native-audio-latest": _NATIVE,
    "gemini-3.1-flash-live-preview": ModelInfo(
        native_audio=True,
        async_functions=False,
        code_execution=False,
        url_context=False,
        context_window=131_072,
        text_refusal=(1011, "Internal error encountered."),
    ),
}

# --- the field tree: name -> sub-tree; ANY accepts whatever is below -------------------
ANY: dict[str, Any] = {}
_SCHEMA: dict[str, Any] = {}
_SCHEMA.update(
    {
        k: None
        for k in [
            "type",
            "format",
            "title",
            "description",
            "nullable",
            "enum",
            "maxItems",
            "minItems",
            "required",
            "minProperties",
            "maxProperties",
            "minLength",
            "maxLength",
            "pattern",
            "example",
            "propertyOrdering",
            "default",
            "minimum",
            "maximum",
        ]
    }
)
_SCHEMA.update({"properties": ("map", _SCHEMA), "items": _SCHEMA, "anyOf": [_SCHEMA]})
_BLOB = {"mimeType": None, "data": None, "displayName": None}
_PART = {
    "text": None,
    "inlineData": _BLOB,
    "fileData": ANY,
    "functionCall": ANY,
    "functionResponse": ANY,
    "executableCode": ANY,
    "codeExecutionResult": ANY,
    "thought": None,
    "thoughtSignature": None,
    "videoMetadata": ANY,
}
_CONTENT = {"role": None, "parts": [_PART]}
_DECL = {
    "name": None,
    "description": None,
    "parameters": _SCHEMA,
    "parametersJsonSchema": ANY,
    "response": _SCHEMA,
    "responseJsonSchema": ANY,
    "behavior": None,
}
_TOOL = {
    "functionDeclarations": [_DECL],
    "googleSearch": ANY,
    "codeExecution": ANY,
    "urlContext": ANY,
    "googleSearchRetrieval": ANY,
    "googleMaps": ANY,
    "computerUse": ANY,
    "fileSearch": ANY,
    "mcpServers": ANY,
}
_TRANSCRIPTION = {
    "languageCodes": None,
    "customVocabulary": ANY,
    "wordTimestamp": None,
    "diarization": ANY,
    "mode": None,
}
_GENERATION = {
    "responseModalities": None,
    "speechConfig": {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": None}, "replicatedVoiceConfig": ANY},
        "languageCode": None,
        "multiSpeakerVoiceConfig": ANY,
    },
    "mediaResolution": None,
    "temperature": None,
    "topP": None,
    "topK": None,
    "maxOutputTokens": None,
    "candidateCount": None,
    "presencePenalty": None,
    "frequencyPenalty": None,
    "seed": None,
    "thinkingConfig": {"thinkingBudget": None, "includeThoughts": None, "thinkingLevel": None},
    "enableAffectiveDialog": None,
}
_SETUP = {
    "model": None,
    "generationConfig": _GENERATION,
    "systemInstruction": _CONTENT,
    "tools": [_TOOL],
    "realtimeInputConfig": {
        "automaticActivityDetection": {
            "disabled": None,
            "startOfSpeechSensitivity": None,
            "endOfSpeechSensitivity": None,
            "prefixPaddingMs": None,
            "silenceDurationMs": None,
        },
        "activityHandling": None,
        "turnCoverage": None,
    },
    "sessionResumption": {"handle": None},
    "contextWindowCompression": {"triggerTokens": None, "slidingWindow": {"targetTokens": None}},
    "inputAudioTranscription": _TRANSCRIPTION,
    "outputAudioTranscription": _TRANSCRIPTION,
    "proactivity": {"proactiveAudio": None, "proactiveVideo": None},
    "historyConfig": {"initialHistoryInClientContent": None},
}
_ALPHA_ONLY = {("setup", "proactivity"), ("setup.generation_config", "enableAffectiveDialog")}
# Unknown everywhere on the real service, strict or not.
_ALWAYS_FATAL = frozenset(
    {
        "transparent",
        "safetySettings",
        "additionalProperties",
        "inputAudioTranscription",
        "outputAudioTranscription",
    }
)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _unknown(name: str, path: str) -> SetupRefused:
    return SetupRefused(
        1007,
        f"Invalid JSON payload received. Unknown name \"{name}\" at '{path}': Cannot find field.",
    )


def _walk(value: Any, tree: Any, path: str, strict: bool, alpha: bool) -> None:
    if tree is ANY or tree is None:
        return
    if isinstance(tree, list):
        if isinstance(value, list):
            for i, item in enumerate(value):
                _walk(item, tree[0], f"{path}[{i}]", strict, alpha)
        return
    if isinstance(tree, tuple):  # ("map", subtree): keys are user data
        if isinstance(value, dict):
            for key, item in value.items():
                _walk(item, tree[1], f"{path}.{key}", strict, alpha)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        name = camel(key)
        if (path, name) in _ALPHA_ONLY and not alpha:
            raise _unknown(key, path)
        if name not in tree:
            # transcription configs are legal at the top of setup only
            if strict or name in _ALWAYS_FATAL:
                raise _unknown(key, path)
            continue
        _walk(item, tree[name], f"{path}.{_snake(name)}", strict, alpha)


@dataclass
class SetupInfo:
    """The normalised setup plus what the emulator derived from it."""

    setup: dict[str, Any]
    model_id: str
    model: ModelInfo
    modality: str
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    builtin: set[str] = field(default_factory=set)


def validate_setup(
    raw: Any, *, version: str, strict: bool, models: dict[str, ModelInfo]
) -> SetupInfo:
    """Validate a raw ``setup`` object; raise :class:`SetupRefused` like the real service."""
    if not isinstance(raw, dict):
        raise SetupRefused(1007, INVALID_ARGUMENT)
    _walk(raw, _SETUP, "setup", strict, version == "v1alpha")
    setup = normalise(raw)
    name = setup.get("model")
    if not isinstance(name, str) or not name:
        raise SetupRefused(1007, INVALID_ARGUMENT)
    model_id = name.removeprefix("models/")
    info = models.get(model_id)
    if info is None or info.retired:
        raise SetupRefused(
            1008,
            f"models/{model_id} is not found for API version {version}, "
            "or is not supported for bidiGenerateContent.",
        )
    gen = setup.get("generationConfig") or {}
    modalities = [str(m).upper() for m in gen.get("responseModalities") or ["AUDIO"]]
    if len(modalities) != 1 or modalities[0] not in ("TEXT", "AUDIO"):
        raise SetupRefused(1007, INVALID_ARGUMENT)
    modality = modalities[0]
    if modality == "TEXT" and info.native_audio:
        raise SetupRefused(*info.text_refusal)
    if (gen.get("enableAffectiveDialog") or setup.get("proactivity")) and not info.native_audio:
        raise SetupRefused(1007, INVALID_ARGUMENT)
    result = SetupInfo(setup=setup, model_id=model_id, model=info, modality=modality)
    for tool in setup.get("tools") or []:
        if not isinstance(tool, dict):
            raise SetupRefused(1007, INVALID_ARGUMENT)
        for kind in tool:
            if kind == "functionDeclarations":
                if not info.functions:
                    raise SetupRefused(1007, INVALID_ARGUMENT)
                for decl in tool[kind] or []:
                    _add_function(result, decl, info)
            elif kind in ("googleSearch", "googleSearchRetrieval"):
                if not info.search:
                    raise SetupRefused(1007, INVALID_ARGUMENT)
                result.builtin.add("googleSearch")
            elif kind == "codeExecution":
                if not info.code_execution:
                    raise SetupRefused(1007, INVALID_ARGUMENT)
                result.builtin.add(kind)
            elif kind == "urlContext":
                if not info.url_context:
                    raise SetupRefused(1007, INVALID_ARGUMENT)
                result.builtin.add(kind)
            elif kind in ("googleMaps", "computerUse", "fileSearch", "mcpServers"):
                raise SetupRefused(1007, INVALID_ARGUMENT)
    return result


def _add_function(result: SetupInfo, decl: Any, info: ModelInfo) -> None:
    if not isinstance(decl, dict) or not isinstance(decl.get("name"), str) or not decl["name"]:
        raise SetupRefused(1007, INVALID_ARGUMENT)
    behavior = str(decl.get("behavior") or "BLOCKING").upper()
    if behavior == "NON_BLOCKING" and not info.async_functions:
        raise SetupRefused(1007, INVALID_ARGUMENT)
    if decl["name"] in result.functions:
        raise SetupRefused(1007, INVALID_ARGUMENT)
    result.functions[decl["name"]] = decl
