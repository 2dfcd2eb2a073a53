"""Validation helpers for ``rules.py``: field types, messages, content parts, tool schemas.

The rule catalogue (always vs strict-only) is documented at the top of ``rules.py``.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from langchain_vertex_openai.testing import media
from langchain_vertex_openai.testing.catalog import ModelInfo
from langchain_vertex_openai.testing.errors import (
    EMULATOR_REFUSAL,
    EMULATOR_WORDING,
    VertexError,
    invalid_argument,
    plain_invalid_argument,
    unknown_fields_error,
)
from langchain_vertex_openai.testing.request import CallRef, Msg, ToolSpec

T = TypeVar("T")

#: Unknown fields collected for strict mode: ``(name, parent_path)``.
Unknowns = list[tuple[str, str]]

_TYPE_NAMES = {
    bool: "TYPE_BOOL",
    int: "TYPE_INT32",
    float: "TYPE_FLOAT",
    str: "TYPE_STRING",
    list: "TYPE_LIST",
    dict: "TYPE_MESSAGE",
}
_MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "tool_calls", "tool_call_id", "function_call", "extra_content"}
)
_PART_KEYS = frozenset({"type", "text", "image_url", "input_audio", "extra_content"})
_CALL_KEYS = frozenset({"id", "type", "function", "extra_content"})
_EXTRA_GOOGLE_KEYS = frozenset({"thought", "thought_signature", "parts"})
_ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    "function": "tool",
}
#: §9: keywords Gemini's OpenAPI-subset parser rejects inside function declarations.
FORBIDDEN_SCHEMA_KEYS = frozenset(
    {
        "$schema",
        "additionalProperties",
        "propertyNames",
        "const",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
#: Gemini's function-name rule (its documented error text is used below).
_FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$")


def expect(value: Any, kind: type[T], path: str) -> T:
    """Check a field's JSON type (A3), as the protobuf-JSON parser would.

    Args:
        value: The field value.
        kind: ``bool``, ``int``, ``float`` (ints accepted), ``str``, ``list`` or ``dict``.
        path: The field path for the message.

    Returns:
        The value, typed.

    Raises:
        VertexError: 400 ``Invalid value at '<path>' (TYPE_...)``.
    """
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise invalid_value(path, value, _TYPE_NAMES.get(kind, kind.__name__))
    return value  # type: ignore[no-any-return]


def invalid_value(path: str, value: Any, type_name: str) -> VertexError:
    """The protobuf-JSON 400 for a value of the wrong type or enum (A3).

    Args:
        path: The field path.
        value: The offending value.
        type_name: The expected type / enum name shown in the message.

    Returns:
        The error.
    """
    shown = json.dumps(value, ensure_ascii=False, default=str)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return invalid_argument(f"Invalid value at '{path}' ({type_name}), {shown}", path)


def check_keys(obj: dict[str, Any], allowed: frozenset[str], path: str, out: Unknowns) -> None:
    """Collect keys not in ``allowed`` (strict mode reports them, S1-S4).

    Args:
        obj: The JSON object.
        allowed: Known keys.
        path: The object's path (``""`` for the top level).
        out: Where unknown ``(name, path)`` pairs are appended.
    """
    out.extend((key, path) for key in obj if key not in allowed)


def unknown(unknowns: Unknowns) -> VertexError:
    """The strict-mode 400 for unknown fields (Gemini API wording, §3).

    Args:
        unknowns: The collected unknown fields.

    Returns:
        The error.
    """
    return unknown_fields_error(unknowns)


def _extra_content(obj: dict[str, Any], path: str, out: Unknowns) -> str | None:
    """Check ``extra_content`` (§4) and return its ``google.thought_signature``."""
    extra = obj.get("extra_content")
    if extra is None:
        return None
    expect(extra, dict, f"{path}.extra_content")
    check_keys(extra, frozenset({"google"}), f"{path}.extra_content", out)
    google = extra.get("google")
    if google is None:
        return None
    where = f"{path}.extra_content.google"
    expect(google, dict, where)
    check_keys(google, _EXTRA_GOOGLE_KEYS, where, out)
    if google.get("thought") is not None:
        expect(google["thought"], bool, f"{where}.thought")
    if google.get("parts") is not None:
        expect(google["parts"], list, f"{where}.parts")
    signature = google.get("thought_signature")
    if signature is None:
        return None
    return expect(signature, str, f"{where}.thought_signature")


def _part(part: Any, path: str, msg: Msg, out: Unknowns) -> None:
    if isinstance(part, str):
        msg.text = f"{msg.text}\n{part}" if msg.text else part
        return
    expect(part, dict, path)
    check_keys(part, _PART_KEYS, path, out)
    _extra_content(part, path, out)
    kind = part.get("type")
    if kind == "text":
        text = expect(part.get("text"), str, f"{path}.text")
        msg.text = f"{msg.text}\n{text}" if msg.text else text
    elif kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image  # §8: object or string
        if isinstance(image, dict):
            check_keys(image, frozenset({"url", "detail"}), f"{path}.image_url", out)
            if image.get("detail") is not None:
                msg.image_details.append(expect(image["detail"], str, f"{path}.image_url.detail"))
        url = expect(url, str, f"{path}.image_url.url")
        msg.media.append(media.image_url(url, f"{path}.image_url.url"))
        msg.images += 1
    elif kind == "input_audio":
        audio = expect(part.get("input_audio"), dict, f"{path}.input_audio")
        check_keys(audio, frozenset({"data", "format"}), f"{path}.input_audio", out)
        msg.media.append(media.input_audio(audio, f"{path}.input_audio"))
        msg.audios += 1
    else:
        # §11: only text, image_url and input_audio parts (wording: emulator choice).
        raise invalid_argument(
            f"Invalid value at '{path}.type', {json.dumps(kind)}: supported content part types "
            "are text, image_url and input_audio." + EMULATOR_WORDING,
            f"{path}.type",
        )


def _tool_calls(raw: Any, path: str, out: Unknowns) -> list[CallRef]:
    calls: list[CallRef] = []
    for j, call in enumerate(expect(raw, list, path)):
        where = f"{path}[{j}]"
        expect(call, dict, where)
        check_keys(call, _CALL_KEYS, where, out)
        function = expect(call.get("function"), dict, f"{where}.function")
        check_keys(function, frozenset({"name", "arguments"}), f"{where}.function", out)
        name = expect(function.get("name"), str, f"{where}.function.name")
        arguments = function.get("arguments", "{}")
        if isinstance(arguments, str):
            try:
                parsed = json.loads(arguments) if arguments.strip() else {}
            except json.JSONDecodeError:
                parsed = None
            if not isinstance(parsed, dict):
                # Emulator choice: Gemini needs the arguments as a Struct (JSON object).
                raise invalid_argument(
                    f"Invalid value at '{where}.function.arguments': arguments must be a "
                    "JSON object encoded as a string." + EMULATOR_REFUSAL,
                    f"{where}.function.arguments",
                )
        elif not isinstance(arguments, dict):
            raise invalid_value(f"{where}.function.arguments", arguments, "TYPE_STRING")
        call_id = call.get("id")
        signature = _extra_content(call, where, out)
        calls.append(
            CallRef(name, arguments, call_id if isinstance(call_id, str) else None, signature)
        )
    return calls


def parse_messages(raw: Any, strict: bool, out: Unknowns) -> list[Msg]:
    """Validate and normalise ``messages`` (A4, A5; S2, S6).

    Args:
        raw: The ``messages`` field.
        strict: Strict mode (the ``developer`` role is refused, S6).
        out: Where unknown fields are collected.

    Returns:
        The normalised messages.

    Raises:
        VertexError: On a rule violation.
    """
    if raw is None or raw == []:
        # Emulator choice of wording (Gemini: "contents is not specified").
        raise plain_invalid_argument("Unable to submit request because messages is empty.")
    messages: list[Msg] = []
    for i, item in enumerate(expect(raw, list, "messages")):
        path = f"messages[{i}]"
        expect(item, dict, path)
        check_keys(item, _MESSAGE_KEYS, path, out)
        role = item.get("role")
        if role not in _ROLES or (strict and role == "developer"):
            raise invalid_value(f"{path}.role", role, "Role")
        msg = Msg(index=i, role=_ROLES[str(role)])
        msg.signature = _extra_content(item, path, out)
        name = item.get("name")
        if name is not None:
            msg.name = expect(name, str, f"{path}.name")
        content = item.get("content")
        if isinstance(content, str):
            msg.text = content
        elif content is not None:
            for j, part in enumerate(expect(content, list, f"{path}.content")):
                _part(part, f"{path}.content[{j}]", msg, out)
        if item.get("tool_calls") is not None:
            if msg.role != "assistant":
                out.append(("tool_calls", path))
            else:
                msg.tool_calls = _tool_calls(item["tool_calls"], f"{path}.tool_calls", out)
        legacy = item.get("function_call")
        if legacy is not None and msg.role == "assistant":
            expect(legacy, dict, f"{path}.function_call")
            msg.tool_calls.append(
                CallRef(str(legacy.get("name", "")), legacy.get("arguments", "{}"), None, None)
            )
        call_id = item.get("tool_call_id")
        if call_id is not None:
            msg.tool_call_id = expect(call_id, str, f"{path}.tool_call_id")
        parts = ((item.get("extra_content") or {}).get("google") or {}).get("parts")
        if parts is not None:
            where = f"{path}.extra_content.google"
            if msg.role == "tool":
                msg.media.extend(media.tool_parts(parts, f"{where}.parts", out))
            else:
                # §4 documents parts on tool messages only; elsewhere they are reported in
                # strict mode and ignored otherwise (emulator choice).
                out.append(("parts", where))
        messages.append(msg)
    return messages


def _schema_violations(schema: Any, path: str, out: list[tuple[str, str]]) -> None:
    """Collect forbidden keywords anywhere in a parameters schema (A12, §9)."""
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            _schema_violations(item, f"{path}[{i}]", out)
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in FORBIDDEN_SCHEMA_KEYS:
            out.append((key, path))
        elif key == "properties" and isinstance(value, dict):
            for i, sub in enumerate(value.values()):
                _schema_violations(sub, f"{path}.properties[{i}].value", out)
        elif key in ("$defs", "definitions") and isinstance(value, dict):
            for i, sub in enumerate(value.values()):
                _schema_violations(sub, f"{path}.{key}[{i}].value", out)
        elif key in ("items", "anyOf", "oneOf", "allOf", "not"):
            snake = {"anyOf": "any_of", "oneOf": "one_of", "allOf": "all_of"}.get(key, key)
            _schema_violations(value, f"{path}.{snake}", out)


def function_spec(function: dict[str, Any], index: int, model: ModelInfo) -> ToolSpec:
    """Validate one function declaration (A12) and build its :class:`ToolSpec`.

    Args:
        function: The ``function`` object of a tool (or a legacy ``functions`` item).
        index: Position among the request's function declarations.
        model: The resolved model (schema rules apply to Google models).

    Returns:
        The tool spec.

    Raises:
        VertexError: On an invalid name or parameters schema.
    """
    where = f"tools[0].function_declarations[{index}]"
    name = function.get("name")
    if not isinstance(name, str) or not _FUNCTION_NAME.match(name):
        raise invalid_argument(
            "Invalid function name. Must start with a letter or an underscore. Must be a-z, "
            "A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length "
            "of 64.",
            f"{where}.name",
        )
    description = function.get("description") or ""
    if not isinstance(description, str):
        raise invalid_value(f"{where}.description", description, "TYPE_STRING")
    parameters = function.get("parameters")
    if parameters is None:
        return ToolSpec(name, description, {})
    expect(parameters, dict, f"{where}.parameters")
    if model.is_gemini:
        found: list[tuple[str, str]] = []
        _schema_violations(parameters, f"{where}.parameters", found)
        if found:
            raise unknown_fields_error(found)
        if parameters.get("type") != "object":
            raise plain_invalid_argument(
                f"Unable to submit request because `{name}` functionDeclaration `parameters` "
                "schema should be of type `OBJECT`. Learn more: "
                "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/function-calling"
            )
        if "properties" not in parameters:
            # §9 (anomalyco/opencode #9233): no-parameter tools still need "properties": {}.
            raise invalid_argument(
                f"* GenerateContentRequest.{where}.parameters.properties: should be "
                "non-empty for OBJECT type",
                f"{where}.parameters.properties",
            )
    return ToolSpec(name, description, parameters)
