"""`with_structured_output`: response schemas Gemini accepts, and strict parsing.

Gemini takes a subset of JSON Schema (docs/vertex-facts.md §9): references must be inlined,
recursive schemas are refused (with one message in every method), `anyOf` with `null` is
`nullable`. The rewritten schema is only what is sent; parsing validates against the user's
original schema. Replies are pretty-printed JSON in any key order (§7), which parses as is;
anything else (markdown fences, a reply cut off at `max_tokens`) is an
`OutputParserException` carrying the text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Literal

from langchain_core.exceptions import ModelRefusalError, OutputParserException
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.output_parsers.transform import BaseCumulativeTransformOutputParser
from langchain_core.outputs import ChatGeneration, Generation
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema
from langchain_core.utils.json import parse_json_markdown
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel, ValidationError

from langchain_vertex_openai._secrets import SafeErrorMixin
from langchain_vertex_openai._tools import check_source_schema, gemini_schema, to_openai_tool

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
_METHODS = ("json_schema", "function_calling", "json_mode")
Described = tuple[str, "str | None", dict[str, Any]]
"""A schema's name, description and JSON schema (`schema_name_and_json`)."""


class GeminiResponseFormat(dict[str, Any]):
    """A `response_format` already cut to what Gemini accepts, once per binding.

    Calls skip the per-call rewrite (`_call.prepare_call`) that raw formats bound by
    agents get.
    """


def _is_pydantic(schema: Any) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def is_pydantic_v1(schema: Any) -> bool:
    """Whether `schema` is a `pydantic.v1` model (served through function calling)."""
    return _is_pydantic(schema) and not issubclass(schema, BaseModel)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def check_json(
    schema: dict[str, Any], value: Any, definitions: dict[str, Any], path: str = "$"
) -> None:
    """Check `value` against the JSON-schema keywords structured output relies on.

    Covers `$ref`, `anyOf`/`oneOf`, `type` (with `null`/`nullable`), `enum`,
    `required`, `properties` and `items`: enough to catch a reply that does not match,
    without a JSON-schema dependency.

    Raises:
        ValueError: Naming the JSON path of the first mismatch.
    """
    if "$ref" in schema:
        schema = {**definitions.get(schema["$ref"].rsplit("/", 1)[-1], {}), **schema}
        schema.pop("$ref")
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        errors = []
        for option in options:
            try:
                check_json(option, value, definitions, path)
            except ValueError as error:
                errors.append(str(error))
            else:
                return
        raise ValueError(errors[0])
    types = schema.get("type")
    allowed = [types] if isinstance(types, str) else list(types or [])
    if value is None:
        if not allowed or "null" in allowed or schema.get("nullable"):
            return
        msg = f"{path}: null is not allowed"
        raise ValueError(msg)
    python_types = tuple(t for name in allowed for t in _JSON_TYPES.get(name, ()))
    is_bool_mismatch = isinstance(value, bool) and "boolean" not in allowed
    if python_types and (not isinstance(value, python_types) or is_bool_mismatch):
        msg = f"{path}: expected {'/'.join(allowed)}, got {type(value).__name__}"
        raise ValueError(msg)
    if "enum" in schema and value not in schema["enum"]:
        msg = f"{path}: {value!r} is not one of {schema['enum']}"
        raise ValueError(msg)
    if isinstance(value, dict):
        missing = [key for key in schema.get("required", []) if key not in value]
        if missing:
            msg = f"{path}: missing required {', '.join(missing)}"
            raise ValueError(msg)
        for key, sub in (schema.get("properties") or {}).items():
            if key in value:
                check_json(sub, value[key], definitions, f"{path}.{key}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            check_json(schema["items"], item, definitions, f"{path}[{index}]")


def schema_validator(
    schema: Any, described: Described | None = None
) -> Callable[[Any], Any] | None:
    """Return a function validating parsed JSON against the user's original schema.

    `described` is `schema_name_and_json(schema)` when the caller already has it.
    """
    if schema is None:
        return None
    if is_pydantic_v1(schema):
        return schema.parse_obj  # type: ignore[no-any-return]
    if _is_pydantic(schema):
        return schema.model_validate  # type: ignore[no-any-return]
    _, _, parameters = described or schema_name_and_json(schema)
    definitions = {**parameters.get("definitions", {}), **parameters.get("$defs", {})}

    def validate(value: Any) -> Any:
        check_json(parameters, value, definitions)
        return value

    return validate


class VertexJsonOutputParser(BaseCumulativeTransformOutputParser[Any]):
    """Parse Gemini's JSON reply; partial objects while streaming, strict at the end."""

    schema_check: Callable[[Any], Any] | None = None
    """Validates the final object against the user's original schema."""
    target_schema: Any = None
    """The user's schema (pydantic models are emitted only once they validate)."""

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        """Parse one generation's text as JSON.

        Raises:
            OutputParserException: On a reply cut off at `max_tokens`, non-JSON text
                (including markdown fences), or an object that fails the schema.
        """
        text = result[0].text.strip()
        if partial:
            # Dicts grow key by key; pydantic objects appear once they validate.
            try:
                parsed = parse_json_markdown(text)
            except json.JSONDecodeError:
                return None
            if parsed is None or not _is_pydantic(self.target_schema) or self.schema_check is None:
                return parsed
            try:
                return self.schema_check(parsed)
            except (ValidationError, ValueError):
                return None
        if isinstance(result[0], ChatGeneration):
            _raise_if_unfinished(result[0].message, text)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            hint = " (it is wrapped in a markdown fence)" if text.startswith("```") else ""
            msg = f"Gemini's structured reply is not valid JSON{hint}: {text[:200]}"
            raise OutputParserException(msg, llm_output=text) from error
        if self.schema_check is None:
            return parsed
        try:
            return self.schema_check(parsed)
        except (ValidationError, ValueError) as error:
            msg = f"Gemini's structured reply does not match the schema: {error}"
            raise OutputParserException(msg, llm_output=text) from error

    def parse(self, text: str) -> Any:
        """Parse a complete reply text."""
        return self.parse_result([Generation(text=text)])

    @property
    def _type(self) -> str:
        return "vertex_json"


def _raise_if_unfinished(message: Any, text: str) -> None:
    if not isinstance(message, AIMessage):
        return
    finish_reason = message.response_metadata.get("finish_reason")
    if finish_reason == "length":
        msg = (
            "Gemini's structured reply was cut off at max_tokens before the JSON was "
            "complete; raise max_tokens."
        )
        raise OutputParserException(msg, llm_output=text)
    if finish_reason == "content_filter":
        raise VertexRefusalError(raw_message=message)


class VertexRefusalError(SafeErrorMixin, ModelRefusalError):
    """Gemini's safety filters blocked the structured answer (`content_filter`)."""

    def __init__(self, *, raw_message: BaseMessage | None = None) -> None:
        super().__init__(
            "Gemini's structured answer was blocked by a safety filter (finish_reason "
            "'content_filter'); see raw_message.response_metadata.",
            raw_message=raw_message,
        )


def _check_tool_answer(message: Any) -> Any:
    """Refuse a blocked answer, or one without the forced call, before tool parsing."""
    if isinstance(message, AIMessage):
        _raise_if_unfinished(message, message.text)
        if not (message.tool_calls or message.invalid_tool_calls):
            msg = "Gemini answered without calling the structured-output tool."
            raise OutputParserException(msg, llm_output=message.text)
    return message


def schema_name_and_json(schema: Any) -> Described:
    """Return the name, description and JSON schema of a pydantic/TypedDict/dict schema."""
    if _is_pydantic(schema):
        # Straight from pydantic: langchain-core's converter silently truncates recursion.
        full = schema.model_json_schema()
        parameters = {k: v for k, v in full.items() if k not in ("title", "description")}
        return full.get("title", schema.__name__), full.get("description"), parameters
    function = to_openai_tool(schema)["function"]
    if isinstance(schema, dict) and "properties" in schema and "parameters" not in schema:
        parameters = {k: v for k, v in schema.items() if k not in ("title", "description")}
    else:
        parameters = function.get("parameters") or {}
    return function["name"], function.get("description"), parameters


def response_format(
    schema: Any, *, strict: bool | None, described: Described | None = None
) -> GeminiResponseFormat:
    """Build the `response_format` for `method="json_schema"`.

    `described` is `schema_name_and_json(schema)` when the caller already has it.
    """
    name, description, parameters = described or schema_name_and_json(schema)
    try:
        cleaned = gemini_schema(parameters)
    except ValueError as error:
        msg = f"Structured-output schema {name!r}: {error}"
        raise ValueError(msg) from None
    json_schema: dict[str, Any] = {"name": name, "schema": cleaned}
    if description:
        json_schema["description"] = description
    if strict is not None:
        json_schema["strict"] = strict
    return GeminiResponseFormat(type="json_schema", json_schema=json_schema)


def _as_tool(described: Described) -> dict[str, Any]:
    name, description, parameters = described
    function: dict[str, Any] = {"name": name, "parameters": parameters}
    if description:
        function["description"] = description
    return {"type": "function", "function": function}


def tool_parser(schema: Any, name: str | None = None) -> Runnable[Any, Any]:
    """Parser for `method="function_calling"`: the first call's arguments."""
    parser: Runnable[Any, Any]
    if _is_pydantic(schema):
        parser = PydanticToolsParser(tools=[schema], first_tool_only=True)
    else:
        name = name or to_openai_tool(schema)["function"]["name"]
        parser = JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
    return RunnableLambda(_check_tool_answer) | parser


def check_arguments(schema: Any, method: str, strict: bool | None) -> None:
    """Refuse combinations that cannot work, before any request.

    Raises:
        ValueError: For an unknown method, a missing schema, or `strict` with JSON mode.
    """
    if method not in _METHODS:
        msg = f"Unknown method {method!r}: use one of {', '.join(_METHODS)}."
        raise ValueError(msg)
    if schema is None and method != "json_mode":
        msg = f"method={method!r} needs a schema (a pydantic model, TypedDict or JSON schema)."
        raise ValueError(msg)
    if strict is not None and method == "json_mode":
        msg = "strict applies to json_schema and function_calling, not to json_mode."
        raise ValueError(msg)


def with_raw(llm: Runnable[Any, Any], parser: Runnable[Any, Any]) -> Runnable[Any, Any]:
    """Return `{"raw", "parsed", "parsing_error"}` as langchain-core does elsewhere."""
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    fallback = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse.with_fallbacks([fallback], exception_key="parsing_error")


def structured_runnable(
    model: Any,
    schema: dict[str, Any] | type | None,
    *,
    method: StructuredMethod,
    include_raw: bool,
    strict: bool | None,
    **kwargs: Any,
) -> Runnable[Any, Any]:
    """Build `model.with_structured_output(...)` (see the method's docstring).

    Raises:
        ValueError: For an unknown method, a missing schema, `strict` with JSON mode,
            or a schema Gemini cannot take.
    """
    check_arguments(schema, method, strict)
    # Pydantic schemas keep their `$defs`, so the cut refuses recursion there; other
    # schemas are judged first, as langchain-core's conversion cuts or loops on recursion.
    if schema is not None and method != "json_mode" and not _is_pydantic(schema):
        try:
            check_source_schema(schema)
        except ValueError as error:
            name = (
                schema.get("title") or schema.get("name")
                if isinstance(schema, dict)
                else getattr(schema, "__name__", None)
            )
            msg = f"Structured-output schema {name!r}: {error}"
            raise ValueError(msg) from None
    if is_pydantic_v1(schema) and method == "json_schema":
        # pydantic.v1 models have no JSON schema Gemini can take; a forced call can.
        method = "function_calling"
    # The schema is converted once per binding: what is sent, traced and checked all
    # come from this one conversion.
    tool: dict[str, Any] | None = None
    described: Described | None = None
    if schema is not None and (method == "function_calling" or is_pydantic_v1(schema)):
        tool = to_openai_tool(schema)
    elif schema is not None:
        described = schema_name_and_json(schema)
        tool = _as_tool(described)
    # Traced in langchain-core's own JSON-schema form, built here once: core re-converts
    # the traced schema on every call, which is free for this form and not for a class.
    traced = convert_to_json_schema(schema) if schema is not None else None
    ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": traced}
    parser: Runnable[Any, Any]
    llm: Runnable[Any, Any]
    # Other tools the model may call beside the structured answer.
    tools = list(kwargs.pop("tools", None) or [])
    if method == "function_calling" and tool is not None:
        name = tool["function"]["name"]
        llm = model.bind_tools(
            [*tools, schema],
            tool_choice=name,
            parallel_tool_calls=False,
            strict=strict,
            ls_structured_output_format=ls_format,
            **kwargs,
        )
        parser = tool_parser(schema, name)
    else:
        response = (
            response_format(schema, strict=strict, described=described)
            if method == "json_schema"
            else {"type": "json_object"}
        )
        bound = {"response_format": response, "ls_structured_output_format": ls_format, **kwargs}
        llm = model.bind_tools(tools, **bound) if tools else model.bind(**bound)
        check = schema_validator(schema, described)
        parser = VertexJsonOutputParser(schema_check=check, target_schema=schema)
    if include_raw:
        return with_raw(llm, parser)
    return llm | parser
