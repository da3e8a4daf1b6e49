"""Plain functions become Live API tools: declarations, argument validation, results.

No I/O here: this package imports pydantic and the standard library only.

Documented rules (details in the module docstrings):

- Descriptions: ``description=`` or the docstring's first paragraph for the tool; for a
  parameter, ``Annotated[..., Field(description=...)]`` or ``Annotated[..., "text"]`` wins over
  the docstring's Args section (Google, NumPy or reST style).
- Integer/number/boolean enums keep their JSON type and list the allowed values in the
  description; string enums use ``enum``. Defaults go into the description text.
- A tool with a ``dict[str, X]`` (or ``dict``) anywhere in its parameters is declared with
  ``parametersJsonSchema`` instead of ``parameters``.
- Annotations are resolved in the function's module and in the namespace where ``@tool`` is
  applied, so types defined next to the function (in a test, a class body) work.
- A parameter annotated ``ToolContext`` or ``ToolContext | None`` is injected, never declared.
- ``typing.TypedDict`` works on Python 3.11 too (rebuilt as ``typing_extensions.TypedDict``).
- ``Tool.is_async`` sees through ``functools.partial``, ``functools.wraps`` wrappers and
  objects with an ``async def __call__``.
- In a ``Toolbox`` subclass, public methods are tools except ``aclose``/``close`` and methods
  marked :func:`not_a_tool`; ``async with box:`` / ``with box:`` close it.
"""

from __future__ import annotations

from ._context import CallCancelled, ToolContext
from ._decorator import Tool, tool
from ._enums import Behavior, Scheduling
from ._results import ToolResult, normalize_result
from ._toolbox import Toolbox, collect_tools, not_a_tool

__all__ = [
    "Behavior",
    "CallCancelled",
    "Scheduling",
    "Tool",
    "ToolContext",
    "ToolResult",
    "Toolbox",
    "collect_tools",
    "normalize_result",
    "not_a_tool",
    "tool",
]
