"""Tool schemas cut to the OpenAPI subset Gemini accepts, and `tool_choice` mapping.

Gemini rejects `$schema`, `additionalProperties`, `propertyNames`, `const` and
`exclusiveMinimum`/`exclusiveMaximum` inside function parameters, needs an
object at the top level even for tools without parameters, and does not
document `$ref`/`$defs` or `anyOf` (docs/vertex-facts.md §9). pydantic emits all of
these, so every schema goes through `gemini_schema` before it is sent.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_vertex_openai._warnings import warn_once

_DROPPED_KEYWORDS = frozenset(
    {"$schema", "$id", "additionalProperties", "propertyNames", "title", "default", "examples"}
)
_MAX_REF_DEPTH = 8


class _RefResolver:
    def __init__(self, root: dict[str, Any]) -> None:
        self.definitions: dict[str, Any] = {
            **root.get("definitions", {}),
            **root.get("$defs", {}),
        }

    def resolve(self, ref: str, depth: int) -> dict[str, Any]:
        name = ref.rsplit("/", 1)[-1]
        if name not in self.definitions:
            msg = f"Tool schema refers to {ref!r}, which it does not define."
            raise ValueError(msg)
        if depth > _MAX_REF_DEPTH:
            msg = (
                f"Tool schema {name!r} is recursive; Gemini does not accept recursive schemas. "
                "Bound the recursion depth in the model."
            )
            raise ValueError(msg)
        return copy.deepcopy(self.definitions[name])


def _merge_nullable(options: list[Any]) -> dict[str, Any] | None:
    non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
    if len(non_null) == 1 and len(options) == 2 and isinstance(non_null[0], dict):
        return {**non_null[0], "nullable": True}
    return None


def _clean(node: Any, resolver: _RefResolver, depth: int) -> Any:
    if isinstance(node, list):
        return [_clean(item, resolver, depth) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        merged = {
            **resolver.resolve(node["$ref"], depth),
            **{k: v for k, v in node.items() if k != "$ref"},
        }
        return _clean(merged, resolver, depth + 1)
    result: dict[str, Any] = {}
    # Gemini has no exclusive bounds: inclusive ones, with the exact rule in the description.
    notes: list[str] = []
    for key, value in node.items():
        if key in _DROPPED_KEYWORDS or key in ("$defs", "definitions"):
            continue
        if key == "const":
            result["enum"] = [value]
        elif key == "exclusiveMinimum":
            result["minimum"] = value
            notes.append(f"greater than {value}")
        elif key == "exclusiveMaximum":
            result["maximum"] = value
            notes.append(f"less than {value}")
        elif key in ("anyOf", "oneOf"):
            nullable = _merge_nullable(value)
            if nullable is not None:
                result.update(_clean(nullable, resolver, depth))
            else:
                result["anyOf"] = _clean(value, resolver, depth)
        elif key == "properties":
            result[key] = {name: _clean(sub, resolver, depth) for name, sub in value.items()}
        else:
            result[key] = _clean(value, resolver, depth)
    if notes:
        description = node.get("description", "")
        result["description"] = f"{description} ({', '.join(notes)})".strip()
    if isinstance(result.get("type"), list):
        types = [t for t in result["type"] if t != "null"]
        if len(types) == 1:
            result["type"] = types[0]
            result["nullable"] = True
    return result


def gemini_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Return `schema` rewritten into the subset Gemini accepts for tool parameters."""
    cleaned: dict[str, Any] = _clean(schema, _RefResolver(schema), 0)
    if not cleaned or cleaned.get("type") is None:
        cleaned = {"type": "object", "properties": {}, **cleaned}
    if cleaned.get("type") == "object":
        cleaned.setdefault("properties", {})
    return cleaned


def gemini_response_format(response_format: Any) -> Any:
    """Cut a `json_schema` response format's schema to what Gemini accepts.

    Agents (e.g. `create_agent`'s provider strategy) bind raw pydantic schemas with
    `$defs` and `anyOf`; the rewrite is idempotent for schemas already cut.
    """
    if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
        return response_format
    spec = dict(response_format.get("json_schema") or {})
    if isinstance(spec.get("schema"), dict):
        spec["schema"] = gemini_schema(spec["schema"])
    return {**response_format, "json_schema": spec}


_SEARCH_TOOL_KEYS = ("google_search", "google_search_retrieval")


def split_google_search(
    tools: Sequence[Any],
) -> tuple[list[Any], dict[str, Any] | None]:
    """Separate a `{"google_search": {}}` tool, which Vertex takes as `web_search_options`.

    Raises:
        ValueError: If search options are given; the endpoint takes none (docs/vertex-facts.md §3).
    """
    rest: list[Any] = []
    search: dict[str, Any] | None = None
    for tool in tools:
        key = next((k for k in _SEARCH_TOOL_KEYS if isinstance(tool, dict) and k in tool), None)
        if key is None:
            rest.append(tool)
            continue
        if tool[key]:
            msg = (
                f"{key} options {tool[key]!r} cannot be sent: Vertex's web_search_options "
                "takes no sub-options. Use {'google_search': {}}."
            )
            raise ValueError(msg)
        search = {}
    return rest, search


def convert_tools(
    tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
    *,
    strict: bool | None = None,
) -> list[dict[str, Any]]:
    """Convert tools to OpenAI format with Gemini-compatible parameter schemas."""
    if strict:
        warn_once(
            "Vertex AI ignores strict=True on tools, so it is not sent; tool-call arguments "
            "are still parsed, and malformed ones land in invalid_tool_calls."
        )
    formatted = []
    for tool in tools:
        openai_tool = convert_to_openai_tool(tool)
        if openai_tool.get("type") != "function":
            formatted.append(openai_tool)
            continue
        function = {k: v for k, v in openai_tool["function"].items() if k != "strict"}
        function["parameters"] = gemini_schema(function.get("parameters") or {})
        formatted.append({"type": "function", "function": function})
    return formatted


def convert_tool_choice(
    tool_choice: dict[str, Any] | str | bool | None, tools: list[dict[str, Any]]
) -> dict[str, Any] | str | None:
    """Map LangChain's `tool_choice` forms to what Vertex accepts.

    Raises:
        ValueError: For a tool name that is not bound, or an unknown value.
    """
    if tool_choice is None or tool_choice is False:
        return None
    names = [t["function"]["name"] for t in tools if t.get("type") == "function"]
    if tool_choice is True or tool_choice in ("any", "required"):
        return "required"
    if tool_choice in ("auto", "none", "validated"):
        return tool_choice
    if isinstance(tool_choice, str):
        if tool_choice not in names:
            msg = f"tool_choice {tool_choice!r} is not one of the bound tools {names}."
            raise ValueError(msg)
        return {"type": "function", "function": {"name": tool_choice}}
    if isinstance(tool_choice, dict):
        return tool_choice
    msg = (
        f"Unrecognised tool_choice {tool_choice!r}: use 'auto', 'none', 'any', 'validated' "
        "or a tool name."
    )
    raise ValueError(msg)
