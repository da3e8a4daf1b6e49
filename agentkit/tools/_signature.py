"""A function's signature -> its argument validator and its declared ``parameters``.

Every problem with a function is collected and reported at once, so a user fixes them in one
pass. The pydantic model that validates the model's arguments is built here once, at
decoration time; validating a call is then a single call into pydantic-core.
"""

from __future__ import annotations

import inspect
import types
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ..errors import ToolArgumentError
from ._callables import innermost_function
from ._context import ToolContext
from ._multitype import explain_union
from ._schema import NeedsJsonSchema, SchemaProblem, UnionProblem, convert_schema
from ._typeddict import modernize

__all__ = ["ArgumentValidator", "Signature", "analyse", "type_repr"]

_PARAM_ERRORS = {
    inspect.Parameter.VAR_POSITIONAL: "*args cannot be declared; the model passes named arguments",
    inspect.Parameter.VAR_KEYWORD: "**kwargs cannot be declared; list each argument by name",
    inspect.Parameter.POSITIONAL_ONLY: "is positional-only, but the model passes arguments by name",
}


@dataclass(frozen=True, slots=True)
class Signature:
    """The result of :func:`analyse`: what to declare, and how to validate and inject."""

    validator: ArgumentValidator
    parameters: dict[str, Any] | None  # None: declare no parameters at all
    json_schema: bool  # True: ``parameters`` goes out as ``parametersJsonSchema``
    context_param: str | None


def type_repr(annotation: Any) -> str:
    """A short, readable name for a type in error messages (``set[int]``, ``Callable[...]``)."""
    if isinstance(annotation, type) and not get_args(annotation):
        return annotation.__qualname__
    text = repr(annotation)
    for prefix in ("typing_extensions.", "typing.", "collections.abc."):
        text = text.replace(prefix, "")
    return text


def _resolve(
    param: inspect.Parameter, globalns: dict[str, Any], localns: Mapping[str, Any] | None
) -> Any:
    annotation = param.annotation
    if isinstance(annotation, str):
        # What inspect.get_annotations(eval_str=True) does, one parameter at a time, so that
        # one unresolvable name does not hide the others.
        return eval(annotation, globalns, dict(localns or {}))
    return annotation


def _is_context_type(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return isinstance(annotation, type) and issubclass(annotation, ToolContext)


def _context_kind(annotation: Any) -> str | None:
    """How a parameter relates to ToolContext.

    ``"yes"``: inject it (``ToolContext`` or ``ToolContext | None``, either maybe inside
    ``Annotated``); ``"mixed"``: a ToolContext in a wider union (refused); None: declare it.
    """
    if _is_context_type(annotation):
        return "yes"
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) not in (Union, types.UnionType):
        return None
    members = [a for a in get_args(annotation) if a is not type(None)]
    if not any(_is_context_type(a) for a in members):
        return None
    return "yes" if len(members) == 1 else "mixed"


def _explicit_description(annotation: Any) -> str | None:
    """The description an ``Annotated`` gives (a ``Field(description=)`` or a plain string)."""
    if get_origin(annotation) is not Annotated:
        return None
    found: str | None = None
    for meta in get_args(annotation)[1:]:
        if isinstance(meta, FieldInfo) and meta.description is not None:
            found = meta.description
        elif isinstance(meta, str):
            found = meta
    return found


def _json_schema(adapter: pydantic.TypeAdapter[Any]) -> dict[str, Any]:
    with warnings.catch_warnings():
        # A default with no JSON form is left out of the schema; that is fine here.
        warnings.simplefilter("ignore", pydantic.json_schema.PydanticJsonSchemaWarning)
        return adapter.json_schema(by_alias=True)


def _check_type(annotation: Any) -> tuple[str | None, bool]:
    """(problem or None, needs JSON Schema mode) for one parameter type, checked alone."""
    try:
        schema = _json_schema(pydantic.TypeAdapter(annotation))
    except pydantic.errors.PydanticInvalidForJsonSchema:
        return "it has no JSON form, so the model cannot send one", False
    except pydantic.errors.PydanticSchemaGenerationError:
        return (
            "pydantic cannot validate it; use str, int, float, bool, an Enum, Literal, "
            "list, a pydantic model, a dataclass or a TypedDict",
            False,
        )
    except Exception as exc:  # any other pydantic refusal, passed on in its own words
        return str(exc).splitlines()[0], False
    needs_json = False
    try:
        try:
            convert_schema(schema, schema.get("$defs", {}), path="")
        except NeedsJsonSchema:
            needs_json = True  # check the rest of the type in the mode it will be declared in
            convert_schema(schema, schema.get("$defs", {}), path="", json_mode=True)
    except SchemaProblem as exc:
        where = f" (at {exc.path.lstrip('.')})" if exc.path else ""
        reason = exc.reason
        if isinstance(exc, UnionProblem):
            reason = explain_union(annotation, exc.path) or reason
        return f"{reason}{where}", needs_json
    return None, needs_json


def analyse(
    fn: Callable[..., Any],
    *,
    name: str,
    docs: Mapping[str, str],
    localns: Mapping[str, Any] | None,
    skip_first: bool = False,
) -> tuple[Signature | None, list[str]]:
    """Inspect ``fn``; return its :class:`Signature`, or None and every problem found."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        return None, [f"its signature cannot be read: {exc}"]
    target = innermost_function(fn)
    globalns: dict[str, Any] = target.__globals__ if target is not None else {}
    params = list(sig.parameters.values())[1 if skip_first else 0 :]
    problems: list[str] = []
    context_param: str | None = None
    fields: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    simple: list[tuple[str, type, Any]] | None = []  # see ArgumentValidator
    json_mode = False
    for param in params:
        label = f"parameter {param.name!r}"
        if param.kind in _PARAM_ERRORS:
            problems.append(f"{label}: {_PARAM_ERRORS[param.kind]}")
            continue
        if param.annotation is inspect.Parameter.empty:
            problems.append(f"{label}: has no type annotation")
            continue
        try:
            annotation = modernize(_resolve(param, globalns, localns), localns)
        except Exception as exc:
            problems.append(f"{label}: annotation {param.annotation!r} cannot be resolved ({exc})")
            continue
        context = _context_kind(annotation)
        if context == "mixed":
            problems.append(
                f"{label}: a ToolContext parameter must be annotated ToolContext or "
                "ToolContext | None"
            )
            continue
        if context == "yes":
            if context_param is not None:
                problems.append(f"{label}: only one ToolContext parameter is allowed")
            context_param = param.name
            continue
        problem, needs_json = _check_type(annotation)
        if problem is not None:
            problems.append(f"{label} ({type_repr(annotation)}): {problem}")
            continue
        json_mode = json_mode or needs_json
        extra: dict[str, Any] = {"alias": param.name}
        description = _explicit_description(annotation)
        if description is None:
            description = docs.get(param.name)
        if description:
            extra["description"] = description
        default = PydanticUndefined if param.default is inspect.Parameter.empty else param.default
        key = f"p{len(fields)}"  # internal names: a parameter may shadow BaseModel attributes
        fields[key] = (Annotated[annotation, pydantic.Field(**extra)], default)
        aliases[key] = param.name
        if simple is not None:
            if annotation in _SIMPLE and (
                default is PydanticUndefined or type(default) in _SIMPLE or default is None
            ):
                simple.append((param.name, annotation, default))
            else:
                simple = None
    if problems:
        return None, problems
    model: type[pydantic.BaseModel] = pydantic.create_model(
        f"{name}_arguments",
        __config__=pydantic.ConfigDict(extra="forbid", arbitrary_types_allowed=False),
        **fields,
    )
    validator = ArgumentValidator(name, model, aliases, simple)
    parameters = _parameters(model, json_mode) if fields else None
    return Signature(validator, parameters, json_mode, context_param), []


def _parameters(model: type[pydantic.BaseModel], json_mode: bool) -> dict[str, Any]:
    schema = _json_schema(pydantic.TypeAdapter(model))
    schema.pop("additionalProperties", None)
    return convert_schema(schema, schema.get("$defs", {}), path="", json_mode=json_mode)


_SIMPLE = (str, int, float, bool)


class ArgumentValidator:
    """Validates the model's JSON arguments and returns kwargs for the function.

    ``simple`` lists ``(name, type, default)`` when every parameter is a plain ``str``,
    ``int``, ``float`` or ``bool`` with an immutable default (or none: PydanticUndefined).
    Then arguments that already have exactly those types are taken as they are, which is
    what pydantic would return for them, without building the arguments model (the most
    common call costs a third); anything else (a coercion, an error) goes to pydantic.
    """

    __slots__ = ("_aliases", "_model", "_name", "_pairs", "_simple", "_validator")

    def __init__(
        self,
        name: str,
        model: type[pydantic.BaseModel],
        aliases: Mapping[str, str],
        simple: list[tuple[str, type, Any]] | None = None,
    ) -> None:
        self._name = name
        self._model = model
        self._aliases = dict(aliases)
        self._pairs = tuple(self._aliases.items())
        self._simple = tuple(simple) if simple is not None else None
        self._validator = model.__pydantic_validator__

    def __call__(self, args: Mapping[str, Any] | None) -> dict[str, Any]:
        simple = self._simple
        if simple is not None and type(args) is dict:
            taken = self._take_simple(simple, args)
            if taken is not None:
                return taken
        if args is None:
            args = {}
        if type(args) is not dict and not isinstance(args, Mapping):
            raise ToolArgumentError(
                self._name, [("", f"arguments must be an object, not {type(args).__name__}")]
            )
        try:
            instance = self._validator.validate_python(args)
        except pydantic.ValidationError as exc:
            raise ToolArgumentError(self._name, self._problems(exc)) from None
        fields = instance.__dict__
        return {alias: fields[key] for key, alias in self._pairs}

    @staticmethod
    def _take_simple(
        simple: tuple[tuple[str, type, Any], ...], args: dict[str, Any]
    ) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {}
        found = 0
        for name, kind, default in simple:
            if name in args:
                value = args[name]
                if type(value) is not kind:
                    return None
                kwargs[name] = value
                found += 1
            elif default is PydanticUndefined:
                return None
            else:
                kwargs[name] = default
        return kwargs if found == len(args) else None  # else: unknown keys

    def _problems(self, exc: pydantic.ValidationError) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        for error in exc.errors(include_url=False, include_input=False):
            field = ".".join(str(part) for part in error["loc"])
            if error["type"] == "extra_forbidden" and len(error["loc"]) == 1:
                known = ", ".join(self._aliases.values()) or "none"
                problems.append((field, f"unknown argument (expected: {known})"))
            elif error["type"] == "missing" and len(error["loc"]) == 1:
                problems.append((field, "required argument is missing"))
            else:
                problems.append((field, error["msg"]))
        return problems
