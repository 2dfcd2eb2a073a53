"""Shape checks for answers: a piece that is not what Chat Completions sends is an error.

A 200 answer can still be wrong (`choices: [null]`, a message that is a string, tool
calls that are not a list), from a proxy, a gateway or a truncated rewrite. Each check
names the piece by its path and raises `VertexResponseError` with the piece attached as
`raw`, instead of an `AttributeError` deep in the parser or a reply silently lost.
"""

from __future__ import annotations

import json
from typing import Any

_KINDS = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "an object",
}


def _kind(value: object) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _excerpt(value: object) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = f"<{_kind(value)}>"
    return text if len(text) <= 200 else f"{text[:200]}..."


def malformed(problem: str, raw: object) -> Exception:
    """Return the `VertexResponseError` for a malformed piece (`raw`) of an answer."""
    from langchain_vertex_openai._errors import malformed_answer_error

    return malformed_answer_error(f"{problem} (got {_excerpt(raw)})", raw)


def wrong_type(where: str, value: object, expected: str) -> Exception:
    """The error for `where` holding `value` where `expected` belongs."""
    return malformed(f"{where} is {_kind(value)}, expected {expected}", value)


def as_dict(value: object, where: str) -> dict[str, Any]:
    """Return `value` if it is a JSON object, else raise naming `where`."""
    if not isinstance(value, dict):
        raise wrong_type(where, value, "an object")
    return value


def optional_dict(value: object, where: str) -> dict[str, Any] | None:
    """A JSON object or null/absent (None)."""
    return None if value is None else as_dict(value, where)


def optional_list(value: object, where: str) -> list[Any] | None:
    """A JSON list or null/absent (None)."""
    if value is None or isinstance(value, list):
        return value
    raise wrong_type(where, value, "a list")


def optional_str(value: object, where: str) -> str | None:
    """A JSON string or null/absent (None)."""
    if value is None or isinstance(value, str):
        return value
    raise wrong_type(where, value, "a string")
