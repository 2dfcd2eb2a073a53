"""Tool schemas cut to the OpenAPI subset Gemini accepts, and `tool_choice` mapping.

Gemini rejects `$schema`, `additionalProperties`, `propertyNames`, `const` and
`exclusiveMinimum`/`exclusiveMaximum` inside function parameters, needs an
object at the top level even for tools without parameters, and does not
document `$ref`/`$defs` or `anyOf` (docs/vertex-facts.md §9). pydantic emits all
of these, so every schema goes through `gemini_schema` before it is sent. Gemini enums
hold strings only: a number or boolean enum is sent as its type with the allowed values
in the description (the tool still validates its arguments), and an enum mixing kinds is
refused. What is refused (recursive or too deep schemas, names, duplicates) is decided
in `_validation`; this module only rewrites.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import PydanticUserError, TypeAdapter

from langchain_vertex_openai._validation import (
    check_encodable,
    check_schema_depth,
    check_tool_choice,
    check_tool_list,
    check_tools,
    enum_error,
    find_recursion,
    recursive_schema_error,
    schema_definitions,
    schema_depth_error,
)
from langchain_vertex_openai._warnings import warn_once

_DROPPED_KEYWORDS = frozenset(
    {"$schema", "$id", "additionalProperties", "propertyNames", "title", "default", "examples"}
)


class _RefResolver:
    def __init__(self, root: dict[str, Any]) -> None:
        self.definitions = schema_definitions(root)

    def resolve(self, ref: Any) -> dict[str, Any]:
        if not isinstance(ref, str):
            msg = f"a $ref is {ref!r:.40}, not a reference string such as '#/$defs/Name'."
            raise ValueError(msg)
        name = ref.rsplit("/", 1)[-1]
        if name not in self.definitions:
            msg = f"the schema refers to {ref!r}, which it does not define."
            raise ValueError(msg)
        return copy.deepcopy(self.definitions[name])


def _merge_nullable(options: list[Any]) -> dict[str, Any] | None:
    non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
    if len(non_null) == 1 and len(options) == 2 and isinstance(non_null[0], dict):
        return {**non_null[0], "nullable": True}
    return None


_JSON_KINDS = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _enum(values: list[Any], result: dict[str, Any], notes: list[str], path: str) -> None:
    """Gemini enums hold strings only (§9): other kinds go into the description."""
    present = [value for value in values if value is not None]
    if len(present) < len(values):
        result["nullable"] = True
    kinds = {_JSON_KINDS.get(type(value)) for value in present}
    if kinds <= {"string"}:
        if present:
            result["enum"] = present
        return
    if kinds == {"integer", "number"}:
        kinds = {"number"}
    if len(kinds) != 1 or None in kinds:
        raise enum_error(values, path)
    result.setdefault("type", kinds.pop())
    notes.append("one of " + ", ".join(json.dumps(value) for value in present))


def _clean(node: Any, resolver: _RefResolver, path: str) -> Any:
    if isinstance(node, list):
        return [_clean(item, resolver, path) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        merged = {
            **resolver.resolve(node["$ref"]),
            **{k: v for k, v in node.items() if k != "$ref"},
        }
        return _clean(merged, resolver, path)
    result: dict[str, Any] = {}
    # Gemini has no exclusive bounds: inclusive ones, with the exact rule in the description.
    notes: list[str] = []
    for key, value in node.items():
        if key in _DROPPED_KEYWORDS or key in ("$defs", "definitions"):
            continue
        if key == "const" or (key == "enum" and isinstance(value, list)):
            _enum([value] if key == "const" else value, result, notes, path)
        elif key == "exclusiveMinimum":
            result["minimum"] = value
            notes.append(f"greater than {value}")
        elif key == "exclusiveMaximum":
            result["maximum"] = value
            notes.append(f"less than {value}")
        elif key in ("anyOf", "oneOf"):
            nullable = _merge_nullable(value)
            if nullable is not None:
                result.update(_clean(nullable, resolver, path))
            else:
                result["anyOf"] = _clean(value, resolver, path)
        elif key == "properties":
            if not isinstance(value, dict):
                msg = (
                    f"'properties' at {path} is {value!r:.40}, not an object mapping each "
                    "property name to its schema."
                )
                raise ValueError(msg)
            result[key] = {
                name: _clean(sub, resolver, f"{path}.{name}") for name, sub in value.items()
            }
        else:
            result[key] = _clean(value, resolver, path)
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
    """Return `schema` rewritten into the subset Gemini accepts for tool parameters.

    Raises:
        ValueError: For a recursive schema, one nested too deep, an undefined
            reference or an enum mixing kinds of values.
    """
    check_schema_depth(schema)
    cycle = find_recursion(schema)
    if cycle:
        raise recursive_schema_error(cycle)
    try:
        cleaned: dict[str, Any] = _clean(schema, _RefResolver(schema), "$")
    except RecursionError:
        # Inlining many chained definitions can nest deeper than the source schema does.
        raise schema_depth_error() from None
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
        try:
            spec["schema"] = gemini_schema(spec["schema"])
        except ValueError as error:
            msg = f"response_format schema {spec.get('name')!r}: {error}"
            raise ValueError(msg) from None
    return {**response_format, "json_schema": spec}


_SEARCH_TOOL_KEYS = ("google_search", "google_search_retrieval")


def split_google_search(
    tools: Sequence[Any],
) -> tuple[list[Any], dict[str, Any] | None]:
    """Separate a `{"google_search": {}}` tool, which Vertex takes as `web_search_options`.

    Raises:
        ValueError: If search options are given; the endpoint takes none (docs/vertex-facts.md §3).
    """
    check_tool_list(tools)
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


class GeminiTools(list[dict[str, Any]]):
    """Tools already converted by `convert_tools` (`bind_tools`), once per binding.

    Calls skip the per-call conversion (`per_call_tools`) that tools passed to
    `invoke(..., tools=[...])` get.
    """


def per_call_tools(tools: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Convert tools passed to one call as `bind_tools` would (schemas cut for Gemini).

    Returns:
        The tools in the form sent, and the `web_search_options` a `{"google_search":
        {}}` tool stands for (or None).

    Raises:
        ValueError: For what `bind_tools` refuses, or an entry that is no tool at all.
    """
    if isinstance(tools, GeminiTools):
        return tools, None
    rest, search = split_google_search(tools)
    if not all(isinstance(tool, (dict, BaseTool)) or callable(tool) for tool in rest):
        check_tools(rest)  # refuses the entry that is no tool, naming it
    return convert_tools(rest), search


def convert_tools(
    tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
    *,
    strict: bool | None = None,
) -> GeminiTools:
    """Convert tools to OpenAI format with Gemini-compatible parameter schemas."""
    if strict:
        warn_once(
            "Vertex AI ignores strict=True on tools, so it is not sent; tool-call arguments "
            "are still parsed, and malformed ones land in invalid_tool_calls."
        )
    check_tool_list(tools)
    formatted = []
    for tool in tools:
        try:
            check_source_schema(tool)
        except ValueError as error:
            msg = f"Tool {_tool_name(tool)!r}: {error}"
            raise ValueError(msg) from None
        openai_tool = to_openai_tool(tool)
        if openai_tool.get("type") != "function":
            formatted.append(openai_tool)
            continue
        raw = openai_tool.get("function")
        if not isinstance(raw, dict) or not isinstance(raw.get("parameters"), (dict, type(None))):
            check_tools([openai_tool])  # refuses it, naming what is wrong
        function = {k: v for k, v in openai_tool["function"].items() if k != "strict"}
        try:
            check_encodable(function)
            function["parameters"] = gemini_schema(function.get("parameters") or {})
        except ValueError as error:
            msg = f"Tool {function.get('name')!r}: {error}"
            raise ValueError(msg) from None
        converted = {"type": "function", "function": function}
        if converted not in formatted:  # the same declaration twice is sent once
            formatted.append(converted)
    check_tools(formatted)
    return GeminiTools(formatted)


def to_openai_tool(tool: Any) -> dict[str, Any]:
    """langchain-core's `convert_to_openai_tool`, refusing recursive schemas it cannot end.

    Raises:
        ValueError: For a schema langchain-core recurses on without end (a recursive
            `typing.TypedDict`, which pydantic cannot read on Python < 3.12).
    """
    try:
        return convert_to_openai_tool(tool)
    except RecursionError:
        msg = f"Tool {_tool_name(tool)!r}: {recursive_schema_error(None)}"
        raise ValueError(msg) from None


def _tool_name(tool: Any) -> Any:
    if isinstance(tool, Mapping):
        function = tool.get("function")
        spec = function if isinstance(function, Mapping) else tool
        return spec.get("name") or spec.get("title")
    return getattr(tool, "name", None) or getattr(tool, "__name__", None)


def check_source_schema(tool: Any) -> None:
    """Refuse a tool or response schema that is recursive or nested too deep.

    langchain-core cuts recursion to `{}` silently (or, for a `typing.TypedDict`,
    recurses without end), so the schema is judged before it converts it.

    Raises:
        ValueError: Naming the reference cycle, or the depth limit.
    """
    source = _source_schema(tool)
    if source is not None:
        check_schema_depth(source)
        cycle = find_recursion(source)
        if cycle:
            raise recursive_schema_error(cycle)


def _source_schema(tool: Any) -> Mapping[str, Any] | None:
    """The tool's JSON schema with its `$ref`s, before langchain-core inlines them."""
    if isinstance(tool, Mapping):
        function = tool.get("function")
        if isinstance(function, Mapping):
            parameters = function.get("parameters")
        else:
            parameters = tool.get("parameters", tool)
        return parameters if isinstance(parameters, Mapping) else None
    model: Any = tool
    if isinstance(tool, BaseTool):
        model = tool.tool_call_schema
    elif not isinstance(tool, type) and callable(tool):
        from langchain_core.tools import tool as as_tool

        try:
            model = as_tool(tool).tool_call_schema
        except (TypeError, ValueError):
            return None  # convert_to_openai_tool names the problem
    if isinstance(model, Mapping):
        return model
    if isinstance(model, type) and issubclass(model, dict) and hasattr(model, "__required_keys__"):
        # A TypedDict (typing's or typing_extensions').
        try:
            schema = TypeAdapter(model).json_schema()
        except (PydanticUserError, TypeError, NameError):
            return None  # convert_to_openai_tool names the problem
        return schema if isinstance(schema, Mapping) else None
    for method in ("model_json_schema", "schema"):  # pydantic v2, then v1
        if isinstance(model, type) and hasattr(model, method):
            schema = getattr(model, method)()
            return schema if isinstance(schema, Mapping) else None
    return None


def convert_tool_choice(
    tool_choice: dict[str, Any] | str | bool | None, tools: list[dict[str, Any]]
) -> dict[str, Any] | str | None:
    """Map LangChain's `tool_choice` forms to what Vertex accepts.

    Raises:
        ValueError: For a tool name that is not bound, or an unknown value.
    """
    if tool_choice is None or tool_choice is False:
        return None
    names = [
        tool["function"].get("name")
        for tool in tools
        if isinstance(tool, dict)
        and tool.get("type") == "function"
        and isinstance(tool.get("function"), dict)
    ]
    choice: dict[str, Any] | str | None = None
    if tool_choice is True or tool_choice in ("any", "required"):
        choice = "required"
    elif tool_choice in ("auto", "none", "validated"):
        choice = str(tool_choice)
    elif isinstance(tool_choice, str):
        choice = {"type": "function", "function": {"name": tool_choice}}
    elif isinstance(tool_choice, dict):
        choice = tool_choice
    if choice is not None:
        check_tool_choice(choice, names)
        return choice
    msg = (
        f"Unrecognised tool_choice {tool_choice!r}: use 'auto', 'none', 'any', 'validated' "
        "or a tool name."
    )
    raise ValueError(msg)
