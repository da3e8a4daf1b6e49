"""Docstrings give the tool's description and parameter descriptions, in three styles."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import Field

from agentkit.tools import tool
from agentkit.tools._docstrings import Docstring, parse_docstring


def descriptions(made: Any) -> dict[str, str | None]:
    props = made.declaration["parameters"]["properties"]
    return {name: schema.get("description") for name, schema in props.items()}


def google(room: str, level: int, fast: bool = False) -> None:
    """Dim the lights
    in a room.

    Longer explanation that the model does not need.

    Args:
        room (str): The room,
            e.g. 'kitchen'.
        level: Brightness in percent.
        fast: Skip
            the fade.

    Returns:
        dict: Nothing of interest.
    """


def numpy(room: str, level: int, fast: bool = False) -> None:
    """Dim the lights in a room.

    Parameters
    ----------
    room : str
        The room,
        e.g. 'kitchen'.
    level, fast : int
        Shared text.

    Returns
    -------
    dict
        Nothing of interest.
    """


def rest(room: str, level: int, fast: bool = False) -> None:
    """Dim the lights in a room.

    :param room: The room,
        e.g. 'kitchen'.
    :param int level: Brightness in percent.
    :type level: int
    :returns: Nothing of interest.
    :param fast: Skip the fade.
    """


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (
            google,
            {
                "room": "The room, e.g. 'kitchen'.",
                "level": "Brightness in percent.",
                "fast": "Skip the fade. (default: false)",
            },
        ),
        (
            numpy,
            {
                "room": "The room, e.g. 'kitchen'.",
                "level": "Shared text.",
                "fast": "Shared text. (default: false)",
            },
        ),
        (
            rest,
            {
                "room": "The room, e.g. 'kitchen'.",
                "level": "Brightness in percent.",
                "fast": "Skip the fade. (default: false)",
            },
        ),
    ],
    ids=["google", "numpy", "rest"],
)
def test_parameter_descriptions_per_style(fn: Any, expected: dict[str, str]) -> None:
    made = tool(fn)
    assert made.description in ("Dim the lights in a room.",)
    assert descriptions(made) == expected


def test_summary_is_the_first_paragraph_only() -> None:
    assert tool(google).description == "Dim the lights in a room."


def test_summary_stops_at_a_section_without_a_blank_line() -> None:
    assert parse_docstring("Do it.\nArgs:\n    x: y").summary == "Do it."
    assert parse_docstring("Do it.\n:param x: y").summary == "Do it."
    assert parse_docstring("Do it.\nParameters\n----------\nx\n    y") == Docstring(
        "Do it.", {"x": "y"}
    )


@pytest.mark.parametrize("doc", [None, "", "   \n  "])
def test_empty_docstrings(doc: str | None) -> None:
    assert parse_docstring(doc) == Docstring()


def test_google_aliases_and_star_args() -> None:
    doc = parse_docstring(
        """Summary.

        Arguments:
            *names: The names.

        Keyword Args:
            **opts: Options.
            flag: A flag.

        Raises:
            ValueError: not a parameter.
        """
    )
    assert doc.params == {"names": "The names.", "opts": "Options.", "flag": "A flag."}


def test_google_blank_lines_inside_args_are_skipped() -> None:
    doc = parse_docstring("S.\n\nArgs:\n    a: One.\n\n    b: Two.\n")
    assert doc.params == {"a": "One.", "b": "Two."}


def test_numpy_stops_at_an_unparseable_line_and_next_section() -> None:
    doc = parse_docstring(
        "S.\n\nParameters\n----------\na : int\n    One.\n\nNotes\n-----\nb : int\n    Not a param."
    )
    assert doc.params == {"a": "One."}
    broken = parse_docstring("S.\n\nParameters\n----------\n(not a name)\na\n    A.")
    assert broken.params == {}


def test_rest_unknown_fields_end_a_parameter() -> None:
    doc = parse_docstring("S.\n\n:param a: One\n    more.\n:raises ValueError: no.\n    still no.")
    assert doc.params == {"a": "One more."}


def test_no_params_section_gives_no_params() -> None:
    assert parse_docstring("Just a summary.\n\nAnd prose.") == Docstring("Just a summary.", {})


# --- precedence: explicit (description=, Annotated) wins over the docstring -----------------


def test_annotated_field_and_string_win_over_docstring() -> None:
    @tool
    def f(
        a: Annotated[str, Field(description="From Field")],
        b: Annotated[str, "From a string"],
        c: str,
    ) -> None:
        """Summary.

        Args:
            a: From the docstring.
            b: From the docstring.
            c: From the docstring.
        """

    assert descriptions(f) == {"a": "From Field", "b": "From a string", "c": "From the docstring."}


def test_description_argument_wins_over_docstring_summary() -> None:
    @tool(description="  Explicit\n   text. ")
    def f() -> None:
        """From the docstring."""

    assert f.description == "Explicit text."
    assert f.declaration["description"] == "Explicit text."


def test_docstring_of_unknown_parameter_is_ignored() -> None:
    @tool
    def f(a: int) -> None:
        """S.

        Args:
            a: Real.
            ghost: Not a parameter.
        """

    assert descriptions(f) == {"a": "Real."}


def test_google_prose_before_the_first_entry_is_ignored() -> None:
    doc = parse_docstring("S.\n\nArgs:\n    See below (not an entry)\n    a: One.\n")
    assert doc.params == {"a": "One."}
