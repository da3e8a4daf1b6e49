"""LiveConfig: the session options of the Live API guide, in either key spelling."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel, to_snake
from pydantic_core import PydanticCustomError

from ..errors import ConfigError
from ._base import WireEnum
from ._client_messages import (
    AudioTranscriptionConfig,
    ContextWindowCompression,
    GenerationConfig,
    Proactivity,
    RealtimeInputConfig,
    SessionResumptionConfig,
    Setup,
    SpeechConfig,
    ThinkingConfig,
    Tool,
)
from ._content import Content, Part

__all__ = ["LiveConfig", "load_config"]

_MODALITIES = ("TEXT", "AUDIO")
_ENUMS: dict[str, tuple[str, ...]] = {
    "media_resolution": (
        "MEDIA_RESOLUTION_UNSPECIFIED",
        "MEDIA_RESOLUTION_LOW",
        "MEDIA_RESOLUTION_MEDIUM",
        "MEDIA_RESOLUTION_HIGH",
    ),
    "start_of_speech_sensitivity": (
        "START_SENSITIVITY_UNSPECIFIED",
        "START_SENSITIVITY_HIGH",
        "START_SENSITIVITY_LOW",
    ),
    "end_of_speech_sensitivity": (
        "END_SENSITIVITY_UNSPECIFIED",
        "END_SENSITIVITY_HIGH",
        "END_SENSITIVITY_LOW",
    ),
    "activity_handling": (
        "ACTIVITY_HANDLING_UNSPECIFIED",
        "START_OF_ACTIVITY_INTERRUPTS",
        "NO_INTERRUPTION",
    ),
    "turn_coverage": (
        "TURN_COVERAGE_UNSPECIFIED",
        "TURN_INCLUDES_ONLY_ACTIVITY",
        "TURN_INCLUDES_ALL_INPUT",
        "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
    ),
}

# Fields that live in generationConfig on the wire but sit at the top of LiveConfig,
# exactly as in google-genai's LiveConnectConfig and the guide's examples.
_GENERATION_FIELDS = (
    "response_modalities",
    "temperature",
    "top_p",
    "top_k",
    "max_output_tokens",
    "seed",
    "media_resolution",
    "speech_config",
    "thinking_config",
    "enable_affective_dialog",
)


def _plain(value: Any) -> Any:
    """Foreign pydantic objects (google-genai's types) become plain dicts."""
    if isinstance(value, BaseModel) and not isinstance(value, LiveConfig):
        return _plain(value.model_dump(exclude_none=True, by_alias=False))
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation may hold (through Optional, list, Annotated)."""
    if isinstance(annotation, type):
        return [annotation] if issubclass(annotation, BaseModel) else []
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _unknown_key(model: type[BaseModel], data: Mapping[str, Any], path: str) -> str | None:
    """The dotted snake_case path of the first key ``model`` does not declare, or None.

    Wire models keep unknown keys (``extra="allow"``) so server fields newer than agentkit
    survive; a *config* typo must fail before connecting instead, at every level. Free-form
    fields (``dict[str, Any]``: schemas, ``google_search``...) are not looked into.
    """
    fields = model.model_fields
    for key, value in data.items():
        name = key if key in fields else to_snake(key) if isinstance(key, str) else key
        if name not in fields:
            return f"{path}.{to_snake(str(key))}" if path else to_snake(str(key))
        sub_path = f"{path}.{name}" if path else name
        models = _models_in(fields[name].annotation)
        if not models:
            continue
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if isinstance(item, Mapping):
                where = sub_path if index is None else f"{sub_path}.{index}"
                bad = _unknown_key(models[0], item, where)
                if bad is not None:
                    return bad
    return None


def _instruction(value: Any) -> Any:
    """``system_instruction`` given as a string or a list of strings and parts."""
    if isinstance(value, str):
        return {"parts": [{"text": value}]}
    if isinstance(value, list):
        return {"parts": [{"text": v} if isinstance(v, str) else v for v in value]}
    return value


def _voice(value: Any) -> Any:
    """``speech_config`` given as a voice name."""
    if isinstance(value, str):
        return {"voice_config": {"prebuilt_voice_config": {"voice_name": value}}}
    return value


_SHORTCUTS = {"system_instruction": _instruction, "speech_config": _voice}


def _check_enum(field: str, value: str | None, path: str | None = None) -> str | None:
    if value is None:
        return None
    allowed = _ENUMS[field]
    upper = value.upper()
    if upper not in allowed:
        raise PydanticCustomError(
            "agentkit_enum",
            "{sub}: {value!r} is not one of {allowed}",
            {"sub": path or field, "value": value, "allowed": ", ".join(allowed)},
        )
    return upper


class LiveConfig(BaseModel):
    """Session options, as in the Live API guide.

    Accepts snake_case (``response_modalities``) or camelCase (``responseModalities``) keys,
    and google-genai's ``types`` objects as values. Unknown top-level keys are refused, so a
    typo fails before connecting instead of as a 1007 close.

    Example:
        ``LiveConfig.model_validate({"response_modalities": ["TEXT"],
        "system_instruction": "Be brief."})``
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    response_modalities: list[WireEnum] | None = None
    system_instruction: Content | None = None
    speech_config: SpeechConfig | None = None
    media_resolution: WireEnum | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    max_output_tokens: int | None = None
    seed: int | None = None
    thinking_config: ThinkingConfig | None = None
    enable_affective_dialog: bool | None = None
    generation_config: GenerationConfig | None = None
    tools: list[Tool] | None = None
    realtime_input_config: RealtimeInputConfig | None = None
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    context_window_compression: ContextWindowCompression | None = None
    session_resumption: SessionResumptionConfig | None = None
    proactivity: Proactivity | None = None
    history_config: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _foreign_objects(cls, data: Any) -> Any:
        data = _plain(data)
        if isinstance(data, Mapping):
            # Top-level keys are checked by extra="forbid"; nested ones here.
            known: dict[str, Any] = {}
            for key, value in data.items():
                name = to_snake(key) if isinstance(key, str) else key
                if name in cls.model_fields:
                    known[name] = _SHORTCUTS.get(name, lambda v: v)(value)
            bad = _unknown_key(cls, known, "")
            if bad is not None:
                raise PydanticCustomError(
                    "agentkit_unknown", "{sub}: unknown config option", {"sub": bad}
                )
        return data

    @field_validator("response_modalities")
    @classmethod
    def _one_modality(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        upper = [v.upper() for v in value]
        if len(upper) != 1 or upper[0] not in _MODALITIES:
            raise ValueError(
                f"must hold exactly one modality, 'TEXT' or 'AUDIO' (got {value!r}); "
                "the Live API answers one modality per session"
            )
        return upper

    @field_validator("system_instruction", mode="before")
    @classmethod
    def _instruction(cls, value: Any) -> Any:
        return _instruction(value)

    @field_validator("speech_config", mode="before")
    @classmethod
    def _voice_shortcut(cls, value: Any) -> Any:
        return _voice(value)

    @field_validator("media_resolution")
    @classmethod
    def _media_resolution(cls, value: str | None) -> str | None:
        return _check_enum("media_resolution", value)

    @field_validator("realtime_input_config")
    @classmethod
    def _realtime(cls, value: RealtimeInputConfig | None) -> RealtimeInputConfig | None:
        if value is None:
            return None
        value.activity_handling = _check_enum("activity_handling", value.activity_handling)
        value.turn_coverage = _check_enum("turn_coverage", value.turn_coverage)
        aad = value.automatic_activity_detection
        if aad is not None:
            aad.start_of_speech_sensitivity = _check_enum(
                "start_of_speech_sensitivity",
                aad.start_of_speech_sensitivity,
                "automatic_activity_detection.start_of_speech_sensitivity",
            )
            aad.end_of_speech_sensitivity = _check_enum(
                "end_of_speech_sensitivity",
                aad.end_of_speech_sensitivity,
                "automatic_activity_detection.end_of_speech_sensitivity",
            )
        return value

    def generation(self) -> GenerationConfig | None:
        """The wire ``generationConfig``: ``generation_config`` plus the top-level fields."""
        data = self.generation_config.to_wire() if self.generation_config else {}
        for name in _GENERATION_FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[to_camel(name)] = value.to_wire() if hasattr(value, "to_wire") else value
        return GenerationConfig.model_validate(data) if data else None

    @property
    def needs_v1alpha(self) -> list[str]:
        """The fields set here that the Gemini API accepts only on ``v1alpha``."""
        names = []
        if self.proactivity is not None:
            names.append("proactivity")
        gen = self.generation()
        if gen is not None and gen.enable_affective_dialog is not None:
            names.append("enable_affective_dialog")
        return names

    def to_setup(
        self,
        model: str,
        *,
        function_declarations: Iterable[Mapping[str, Any]] = (),
        extra_instructions: Iterable[str] = (),
        resume: bool = False,
        handle: str | None = None,
    ) -> Setup:
        """Build the ``setup`` message.

        Args:
            model: The model id; ``models/`` is prefixed when missing.
            function_declarations: Declarations (wire dicts) added beside the config's tools.
            extra_instructions: Text parts appended to the system instruction.
            resume: Ask for resumption updates (``sessionResumption: {}``) if not configured.
            handle: Resume from this handle.
        """
        if not model.startswith(("models/", "tunedModels/")):
            model = f"models/{model}"
        tools = [t.model_copy(deep=True) for t in self.tools or []]
        decls = [dict(d) for d in function_declarations]
        if decls:
            tools.append(Tool.model_validate({"functionDeclarations": decls}))
        instruction = (
            self.system_instruction.model_copy(deep=True) if self.system_instruction else None
        )
        extras = [Part(text=text) for text in extra_instructions]
        if extras:
            instruction = instruction or Content(parts=[])
            instruction.parts = [*instruction.parts, *extras]
        resumption = self.session_resumption.model_copy() if self.session_resumption else None
        if resumption is None and (resume or handle):
            resumption = SessionResumptionConfig()
        if resumption is not None and handle:
            resumption.handle = handle
        return Setup(
            model=model,
            generation_config=self.generation(),
            system_instruction=instruction,
            tools=tools or None,
            realtime_input_config=self.realtime_input_config,
            session_resumption=resumption,
            context_window_compression=self.context_window_compression,
            input_audio_transcription=self.input_audio_transcription,
            output_audio_transcription=self.output_audio_transcription,
            proactivity=self.proactivity,
            history_config=self.history_config,
        )


def load_config(config: LiveConfig | Mapping[str, Any] | BaseModel | None) -> LiveConfig:
    """A :class:`LiveConfig` from a model, a dict (either spelling) or google-genai's config.

    Raises:
        ConfigError: naming the first bad field (``field`` holds its dotted path).
    """
    if config is None:
        return LiveConfig()
    if isinstance(config, LiveConfig):
        return config
    try:
        return LiveConfig.model_validate(config)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        first = errors[0]
        field = ".".join(to_snake(p) if isinstance(p, str) else str(p) for p in first["loc"])
        msg = first["msg"]
        sub = (first.get("ctx") or {}).get("sub")
        if first["type"] == "agentkit_enum" and sub and not field.endswith(sub):
            field = f"{field}.{sub}" if field else sub
            msg = f"{first['ctx']['value']!r} is not one of {first['ctx']['allowed']}"
        if first["type"] == "agentkit_unknown" and sub:
            field = sub
        if first["type"] in ("extra_forbidden", "agentkit_unknown"):
            msg = "unknown config option"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(
            f"invalid config field {field!r}: {msg}{more}", field=field or None
        ) from None
