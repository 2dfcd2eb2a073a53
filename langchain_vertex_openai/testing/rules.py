"""Request validation: what Vertex / Gemini refuses, and what strict mode adds.

Section numbers refer to ``docs/vertex-facts.md``. Wordings quoted there are used verbatim;
other wordings are the emulator's choice and say so where they are built.

ALWAYS (both modes: the real endpoint refuses these too):
    A1  body that is not JSON / not a JSON object -> 400 ``Invalid JSON payload received...``.
    A2  model missing or without publisher (400, §1); unknown model or one not served in the
        location (404, §1); not a Chat Completions model (400, §1) — see ``catalog.py``.
    A3  wrong types of known fields (protobuf-JSON ``Invalid value at '<path>' (TYPE_...)``),
        temperature/top_p out of range, reasoning_effort/thinking_level values (§5).
    A4  ``messages`` missing/empty, unknown role.
    A5  content parts whose type is not text/image_url/input_audio; malformed data URIs,
        undecodable base64, ``input_audio`` without data+format, unsupported URL schemes (§8, §11).
    A6  Google models: empty/null content without tool calls -> ``must include at least one
        parts field`` (§3).
    A7  Gemini 3.x: conversation ending with an assistant turn (§3).
    A8  Google models: function responses not right after a call turn, or as many results as
        calls; parallel calls split into several turns (interleaving, §3/§6).
    A9  Gemini 3.x: assistant tool-call turns of the current turn without an issued signature
        on their first call (Vertex wording, §6); any signature this server never issued
        -> ``Thought signature is not valid.`` (§6). Not enforced on 2.5 / partner models.
    A10 Gemini 3.5/3.6 (``text_beside_calls`` in ``catalog.py``): an assistant message with
        both text and tool calls -> opaque 400 (§3).
        Gemini 2.5: image parts with different ``detail`` values in one request (§3).
    A11 Gemini 3.x: n > 1 (§3). reasoning_effort + thinking_config, thinking_budget +
        thinking_level, thinking_level on 2.5, thinking off on 2.5 Pro, a level or effort
        the model does not take (``minimal`` on 2.5; per-model sets, §5).
    A12 Google models: tool parameter schemas with ``$schema``, ``const``, ``exclusiveMinimum``,
        ``exclusiveMaximum``, ``propertyNames``, ``additionalProperties`` anywhere, or a top
        level that is not ``type: object`` (§9); invalid or duplicate function names;
        ``tool_choice`` naming an unbound function or ``required`` without tools (emulator choice).
    A13 ``extra_body.google`` values of the wrong type or enum (``thinking_level`` names,
        ``safety_settings`` category/threshold/method names, ``media_resolution`` names other
        than ``MEDIA_RESOLUTION_*`` (emulator choice), ``thinking_budget`` below -1),
        ``cached_content`` on global (§4).
    A14 image models: tools or structured output (§1; wording: emulator choice).
    A15 partner models: a first non-system turn that is not the user's, or two user or two
        assistant turns in a row (§12; tool results count with the assistant turn that made
        the calls, which §12 leaves open; wording: emulator choice). A final assistant turn
        is fine (prefill, §12).
STRICT ONLY (Vertex silently ignores these, §3; answered with the Gemini API's wording
``Invalid JSON payload received. Unknown name "X": Cannot find field.``):
    S1  top-level fields not in the documented table, e.g. ``stream_options``, ``logprobs``,
        ``parallel_tool_calls``, ``user``, ``metadata``, ``store``, ``service_tier``,
        ``logit_bias``, or ``google``/``thinking_config`` sent at the top level.
    S2  unknown keys in messages, content parts, tool calls, tools (``strict`` on a function),
        ``tool_choice``, ``response_format``.
    S3  unknown keys in ``extra_body``, ``extra_body.google``, ``thinking_config``,
        ``safety_settings[i]``, ``extra_content`` / ``extra_content.google``.
    S4  sub-options of ``web_search_options`` (§3: no sub-options); non-function tool types.
    S5  ``thinking_budget`` on Gemini 3 (deprecated, intermittent 400s, §5).
    S6  the ``developer`` role (not documented; default mode folds it into ``system``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from langchain_vertex_openai.testing import rules_content as rc
from langchain_vertex_openai.testing.catalog import EFFORT_BUDGETS, ModelInfo
from langchain_vertex_openai.testing.errors import (
    EMULATOR_REFUSAL,
    EMULATOR_WORDING,
    invalid_argument,
    plain_invalid_argument,
)
from langchain_vertex_openai.testing.request import ChatRequest, Msg, Thinking, ToolSpec
from langchain_vertex_openai.testing.rules_content import Unknowns, check_keys, expect

#: §6: the only placeholder Vertex accepts for history without signatures.
SKIP_SIGNATURE = "skip_thought_signature_validator"

#: §3: the documented request fields.
TOP_LEVEL_FIELDS = frozenset(
    {
        "messages",
        "model",
        "max_tokens",
        "max_completion_tokens",
        "n",
        "frequency_penalty",
        "presence_penalty",
        "reasoning_effort",
        "response_format",
        "seed",
        "stop",
        "stream",
        "temperature",
        "top_p",
        "tools",
        "tool_choice",
        "modalities",
        "web_search_options",
        "functions",
        "function_call",
        "extra_body",
    }
)
_GOOGLE_KEYS = frozenset(
    {
        "thinking_config",
        "thought_tag_marker",
        "safety_settings",
        "cached_content",
        "stream_function_call_arguments",
        "tools",
        "media_resolution",
    }
)
#: §4: the names of Vertex's ``GenerationConfig.MediaResolution`` enum.
MEDIA_RESOLUTIONS = frozenset(
    {
        "MEDIA_RESOLUTION_UNSPECIFIED",
        "MEDIA_RESOLUTION_LOW",
        "MEDIA_RESOLUTION_MEDIUM",
        "MEDIA_RESOLUTION_HIGH",
    }
)
_THINKING_KEYS = frozenset({"include_thoughts", "thinking_budget", "thinking_level"})
_SAFETY_KEYS = frozenset({"category", "threshold", "method"})
_THRESHOLDS = frozenset(
    {
        "BLOCK_NONE",
        "BLOCK_ONLY_HIGH",
        "BLOCK_MEDIUM_AND_ABOVE",
        "BLOCK_LOW_AND_ABOVE",
        "OFF",
        "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
    }
)
#: HarmCategory values of Vertex's v1 API (the fact sheet only gives the ``HARM_CATEGORY_`` prefix).
HARM_CATEGORIES = frozenset(
    {
        "HARM_CATEGORY_UNSPECIFIED",
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_CIVIC_INTEGRITY",
        "HARM_CATEGORY_IMAGE_HATE",
        "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT",
        "HARM_CATEGORY_IMAGE_HARASSMENT",
        "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_JAILBREAK",
    }
)
_METHODS = frozenset({"SEVERITY", "PROBABILITY", "HARM_BLOCK_METHOD_UNSPECIFIED"})
_LEVELS = frozenset({"minimal", "low", "medium", "high"})
#: The values the ``reasoning_effort`` field parses to; which ones a model takes is per model
#: (§5, ``catalog.py``).
_EFFORTS = frozenset({"none", "minimal", "low", "medium", "high"})
#: §9 (*overview*, ``response_format`` row): the OpenAI types; any other MIME type is passed
#: as is to the model.
_FORMAT_TYPES = frozenset({"text", "json_object", "json_schema"})

#: Returns how many calls an issued signature was issued with, or None if never issued.
SignatureLookup = Callable[[str], "int | None"]


def validate_chat_request(
    body: Any,
    model: ModelInfo,
    *,
    strict: bool,
    location: str,
    signature_calls: SignatureLookup,
) -> ChatRequest:
    """Validate a parsed request body and build the normalised request.

    Args:
        body: The parsed JSON body (already checked to be a dict by the caller).
        model: The resolved model.
        strict: Whether strict mode is on (S-rules).
        location: The location of the request path.
        signature_calls: Lookup of issued thought signatures.

    Returns:
        The normalised :class:`ChatRequest`.

    Raises:
        VertexError: The first rule the request breaks.
    """
    unknowns: Unknowns = []
    check_keys(body, TOP_LEVEL_FIELDS, "", unknowns)
    req = ChatRequest(model=model, messages=[], body=body)
    _scalars(body, req)
    google = _extra_body(body, location, unknowns)
    req.tools = _tools(body, model, strict, unknowns)
    _tool_choice(body, req, unknowns)
    req.response_format = _response_format(body, unknowns)
    web = body.get("web_search_options")
    if web is not None:
        expect(web, dict, "web_search_options")
        check_keys(web, frozenset(), "web_search_options", unknowns)
    req.messages = rc.parse_messages(body.get("messages"), strict, unknowns)
    if strict and unknowns:
        raise rc.unknown(unknowns)
    if model.image_output:
        _image_model(req)
    req.thinking = _thinking(body, google, model, strict)
    req.safety = {s["category"]: s["threshold"] for s in google.get("safety_settings") or []}
    req.stream_function_call_arguments = google.get("stream_function_call_arguments") is True
    if model.is_gemini:
        _conversation(req, signature_calls)
    elif model.family == "partner":
        _open_model_turns(req.messages)
    if req.n > 1 and not model.supports_multiple_candidates:
        raise plain_invalid_argument("Multiple candidates is not enabled for this model")
    return req


def _image_model(req: ChatRequest) -> None:
    """§1: image models are image-output-only: no function calling, no structured output."""
    if req.tools:
        feature = "Function calling"
    elif req.response_format is not None:
        feature = "Structured output"
    else:
        return
    raise plain_invalid_argument(
        f"{feature} is not supported by {req.model.model} (its model page: '{feature}: Not "
        "supported'; image models answer with images only, docs/vertex-facts.md §1)."
        + EMULATOR_WORDING
    )


def _scalars(body: dict[str, Any], req: ChatRequest) -> None:
    stream = body.get("stream")
    if stream is not None:
        req.stream = expect(stream, bool, "stream")
    n = body.get("n")
    if n is not None:
        req.n = expect(n, int, "n")
        if req.n < 1:
            raise plain_invalid_argument(
                f"Invalid value at 'n', {n}: must be at least 1." + EMULATOR_REFUSAL
            )
    limits = []
    for key in ("max_tokens", "max_completion_tokens"):
        value = body.get(key)
        if value is not None:
            limits.append(expect(value, int, key))
            if value < 1:
                # Emulator choice: wording of the native max_output_tokens range check.
                raise plain_invalid_argument(
                    f"Unable to submit request because it has a {key} value of {value} but "
                    "the supported range is from 1 (inclusive) to 65537 (exclusive). Update "
                    "the value and try again." + EMULATOR_WORDING
                )
    req.max_tokens = min(limits) if limits else None
    for key, upper in (("temperature", 2), ("top_p", 1)):
        value = body.get(key)
        if value is None:
            continue
        number = expect(value, float, key)
        if not 0 <= number <= upper:
            # Vertex's range wording for generation parameters.
            raise plain_invalid_argument(
                f"Unable to submit request because it has a {key} value of {value} but the "
                f"supported range is from 0 (inclusive) to {upper}.0001 (exclusive). Update "
                "the value and try again."
            )
    for key in ("frequency_penalty", "presence_penalty"):
        if body.get(key) is not None:
            expect(body[key], float, key)
    if body.get("seed") is not None:
        expect(body["seed"], int, "seed")
    stop = body.get("stop")
    if isinstance(stop, str):
        req.stop = [stop]
    elif stop is not None:
        items = expect(stop, list, "stop")
        req.stop = [expect(s, str, f"stop[{i}]") for i, s in enumerate(items)]
    modalities = body.get("modalities")
    if modalities is not None:
        for i, item in enumerate(expect(modalities, list, "modalities")):
            if item not in ("text", "image", "audio"):
                raise rc.invalid_value(f"modalities[{i}]", item, "Modality")
    effort = body.get("reasoning_effort")
    if effort is not None and expect(effort, str, "reasoning_effort") not in _EFFORTS:
        raise rc.invalid_value("reasoning_effort", effort, "ReasoningEffort")


def _extra_body(body: dict[str, Any], location: str, unknowns: Unknowns) -> dict[str, Any]:
    extra = body.get("extra_body")
    if extra is None:
        return {}
    expect(extra, dict, "extra_body")
    check_keys(extra, frozenset({"google"}), "extra_body", unknowns)
    if extra.get("google") is None:
        return {}
    google: dict[str, Any] = expect(extra["google"], dict, "extra_body.google")
    check_keys(google, _GOOGLE_KEYS, "extra_body.google", unknowns)
    path = "extra_body.google"
    config = google.get("thinking_config")
    if config is not None:
        expect(config, dict, f"{path}.thinking_config")
        check_keys(config, _THINKING_KEYS, f"{path}.thinking_config", unknowns)
        for key, kind in (("include_thoughts", bool), ("thinking_budget", int)):
            if config.get(key) is not None:
                expect(config[key], kind, f"{path}.thinking_config.{key}")
        level = config.get("thinking_level")
        if (
            level is not None
            and expect(level, str, f"{path}.thinking_config.thinking_level") not in _LEVELS
        ):
            raise rc.invalid_value(f"{path}.thinking_config.thinking_level", level, "ThinkingLevel")
        budget = config.get("thinking_budget")
        if budget is not None and budget < -1:
            # §5: -1 is dynamic, 0 off, positive a cap; other values refused (wording: emulator).
            raise plain_invalid_argument(
                f"Unable to submit request because thinking_budget is {budget}; use -1 "
                "(dynamic), 0 or a positive number of tokens." + EMULATOR_REFUSAL
            )
    field_kind: type
    for key, field_kind in (
        ("thought_tag_marker", str),
        ("media_resolution", str),
        ("stream_function_call_arguments", bool),
        ("tools", list),
    ):
        if google.get(key) is not None:
            expect(google[key], field_kind, f"{path}.{key}")
    resolution = google.get("media_resolution")
    if resolution is not None and resolution not in MEDIA_RESOLUTIONS:
        # §4: Vertex's MediaResolution enum; an enum field takes its names, as
        # safety_settings' do (that this key does is the project's reading, §4).
        raise invalid_argument(
            f"Invalid value at '{path}.media_resolution' (MediaResolution), "
            f"{json.dumps(resolution)}" + EMULATOR_REFUSAL,
            f"{path}.media_resolution",
        )
    settings = google.get("safety_settings")
    if settings is not None:
        for i, item in enumerate(expect(settings, list, f"{path}.safety_settings")):
            where = f"{path}.safety_settings[{i}]"
            expect(item, dict, where)
            check_keys(item, _SAFETY_KEYS, where, unknowns)
            # Protobuf-JSON enum parsing: unknown names are 400s (§4 lists the keys).
            if item.get("category") not in HARM_CATEGORIES:
                raise rc.invalid_value(f"{where}.category", item.get("category"), "HarmCategory")
            if item.get("threshold") not in _THRESHOLDS:
                raise rc.invalid_value(
                    f"{where}.threshold", item.get("threshold"), "HarmBlockThreshold"
                )
            if item.get("method") is not None and item["method"] not in _METHODS:
                raise rc.invalid_value(f"{where}.method", item["method"], "HarmBlockMethod")
    cached = google.get("cached_content")
    if cached is not None:
        expect(cached, str, f"{path}.cached_content")
        parts = cached.split("/")
        if len(parts) != 6 or parts[0] != "projects" or parts[2] != "locations":
            raise rc.invalid_value(f"{path}.cached_content", cached, "CachedContent")
        if location == "global":
            # §4 "regional only"; wording is the emulator's choice.
            raise plain_invalid_argument(
                "Context caching is not supported in location global. Use a regional location."
                + EMULATOR_WORDING
            )
    return google


def _thinking(
    body: dict[str, Any], google: dict[str, Any], model: ModelInfo, strict: bool
) -> Thinking:
    config = google.get("thinking_config") or {}
    effort = body.get("reasoning_effort")
    budget = config.get("thinking_budget")
    level = config.get("thinking_level")
    marker = google.get("thought_tag_marker")
    thinking = Thinking(
        include_thoughts=config.get("include_thoughts") is True,
        tag_marker=marker or None,
    )
    if not model.is_gemini:
        # §12: partner models ignore Google's thinking settings; reasoning models reason.
        thinking.enabled = model.partner_reasoning != "none"
        return thinking
    if effort is not None and "thinking_config" in google:
        # §5 "Only one of reasoning_effort and thinking_config per request" (wording: emulator).
        raise plain_invalid_argument(
            "Only one of reasoning_effort and extra_body.google.thinking_config can be set."
            + EMULATOR_WORDING
        )
    if budget is not None and level is not None:
        raise plain_invalid_argument(
            "You can only set only one of thinking budget and thinking level."
        )
    if model.is_gemini3:
        if budget is not None and strict:
            raise plain_invalid_argument(
                "thinking_budget is deprecated for Gemini 3 models and may be rejected; "
                "use thinking_level instead. (emulator strict mode, docs/vertex-facts.md §5)"
            )
        if effort is not None:
            level = effort
        if level is not None and level not in model.thinking_levels:
            allowed = ", ".join(sorted(model.thinking_levels))
            # §5 per-model level sets; wording is the emulator's choice.
            raise plain_invalid_argument(
                f"Thinking level {level!r} is not supported by {model.model}. "
                f"Supported levels: {allowed}." + EMULATOR_WORDING
            )
        thinking.enabled = True
        thinking.level = level or model.default_level  # §5: per-model defaults
        thinking.budget = budget if budget is not None and budget >= 0 else None
        if thinking.budget == 0:
            thinking.budget = None  # §5: Gemini 3 cannot turn thinking off.
        return thinking
    if level is not None:
        raise plain_invalid_argument("Thinking level is not supported for this model.")
    if effort is not None and effort not in model.thinking_levels and effort != "none":
        # §5: `minimal` is not a Gemini 2.5 effort (wording: emulator choice).
        raise plain_invalid_argument(
            f"reasoning_effort {effort!r} is not supported by {model.model}. Supported: "
            f"{', '.join(model.thinking_levels)}." + EMULATOR_WORDING
        )
    if effort is not None:
        budget = EFFORT_BUDGETS[effort]
    if budget == 0 and not model.can_disable_thinking:
        raise plain_invalid_argument("Budget 0 is invalid. This model only works in thinking mode.")
    if budget is None:
        thinking.enabled = model.thinks_by_default
    elif budget < 0:  # -1: dynamic thinking.
        thinking.enabled = True
    else:
        thinking.enabled = budget > 0
        thinking.budget = budget
    thinking.level = effort
    return thinking


def _tools(
    body: dict[str, Any], model: ModelInfo, strict: bool, unknowns: Unknowns
) -> list[ToolSpec]:
    specs: list[ToolSpec] = []
    tools = body.get("tools")
    if tools is not None:
        for i, tool in enumerate(expect(tools, list, "tools")):
            where = f"tools[{i}]"
            expect(tool, dict, where)
            check_keys(tool, frozenset({"type", "function"}), where, unknowns)
            if tool.get("type", "function") != "function":
                if strict:
                    raise rc.invalid_value(f"{where}.type", tool.get("type"), "ToolType")
                continue  # Vertex ignores what it does not support (§3).
            function = expect(tool.get("function"), dict, f"{where}.function")
            check_keys(
                function,
                frozenset({"name", "description", "parameters"}),
                f"{where}.function",
                unknowns,
            )
            specs.append(rc.function_spec(function, len(specs), model))
    functions = body.get("functions")
    if functions is not None:  # deprecated form, §3
        for i, function in enumerate(expect(functions, list, "functions")):
            expect(function, dict, f"functions[{i}]")
            check_keys(
                function,
                frozenset({"name", "description", "parameters"}),
                f"functions[{i}]",
                unknowns,
            )
            specs.append(rc.function_spec(function, len(specs), model))
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen and model.is_gemini:
            raise plain_invalid_argument(f"Duplicate function declaration found: {spec.name}")
        seen.add(spec.name)
    return specs


def _tool_choice(body: dict[str, Any], req: ChatRequest, unknowns: Unknowns) -> None:
    choice = body.get("tool_choice")
    if choice is None and body.get("function_call") is not None:
        legacy = body["function_call"]
        choice = legacy if isinstance(legacy, str) else {"type": "function", "function": legacy}
    if choice is None:
        req.tool_choice = "auto"
        return
    names = {t.name for t in req.tools}
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required", "validated"):
            raise rc.invalid_value("tool_choice", choice, "ToolChoice")
        req.tool_choice = choice
    else:
        expect(choice, dict, "tool_choice")
        check_keys(choice, frozenset({"type", "function"}), "tool_choice", unknowns)
        function = expect(choice.get("function"), dict, "tool_choice.function")
        check_keys(function, frozenset({"name"}), "tool_choice.function", unknowns)
        name = function.get("name")
        if name not in names:
            # Emulator choice: Gemini's allowed_function_names must name declared functions.
            raise plain_invalid_argument(
                f"tool_choice names function {name!r}, which is not among the declared tools."
                + EMULATOR_REFUSAL
            )
        req.tool_choice = "required"
        req.forced_tool = str(name)
    if req.tool_choice in ("required", "validated") and not req.tools:
        # Emulator choice: function calling mode ANY without function declarations.
        raise plain_invalid_argument(
            "Function calling config is set to ANY but no function declarations are provided."
            + EMULATOR_REFUSAL
        )


def _response_format(body: dict[str, Any], unknowns: Unknowns) -> dict[str, Any] | None:
    fmt = body.get("response_format")
    if fmt is None:
        return None
    expect(fmt, dict, "response_format")
    check_keys(fmt, frozenset({"type", "json_schema"}), "response_format", unknowns)
    kind = fmt.get("type")
    if isinstance(kind, str) and "/" in kind and kind not in _FORMAT_TYPES:
        # §9: another MIME type is passed as is; JSON is answered as JSON, any other type
        # with the text answer (emulator choice: the model's output for it is unknown).
        return fmt if kind == "application/json" else None
    if kind not in _FORMAT_TYPES:
        raise rc.invalid_value("response_format.type", kind, "ResponseFormatType")
    if kind == "json_schema":
        spec = expect(fmt.get("json_schema"), dict, "response_format.json_schema")
        check_keys(
            spec,
            frozenset({"name", "description", "schema", "strict"}),
            "response_format.json_schema",
            unknowns,
        )
        if spec.get("schema") is not None:
            expect(spec["schema"], dict, "response_format.json_schema.schema")
    return fmt if kind != "text" else None


def _blocks(messages: list[Msg]) -> list[list[Msg]]:
    """Group messages into Gemini contents: system excluded, tool results merged (§3)."""
    blocks: list[list[Msg]] = []
    for msg in messages:
        if msg.role == "system":
            continue
        if msg.role == "tool" and blocks and blocks[-1][0].role == "tool":
            blocks[-1].append(msg)
        else:
            blocks.append([msg])
    return blocks


def _open_model_turns(messages: list[Msg]) -> None:
    """A15: "The first message must use the user role", then alternating turns (§12)."""
    previous: Msg | None = None
    after_tools = False
    for msg in messages:
        if msg.role == "system":
            continue
        if msg.role == "tool":
            after_tools = True
            continue
        if previous is None and msg.role != "user":
            raise plain_invalid_argument(
                f"Invalid value at 'messages[{msg.index}].role': the first message must use "
                "the user role." + EMULATOR_WORDING
            )
        if previous is not None and previous.role == msg.role and not after_tools:
            raise plain_invalid_argument(
                f"Invalid value at 'messages[{msg.index}].role': messages {previous.index} and "
                f"{msg.index} are both {msg.role} turns; the model takes alternating user and "
                "assistant turns." + EMULATOR_WORDING
            )
        previous, after_tools = msg, False


def _conversation(req: ChatRequest, signature_calls: SignatureLookup) -> None:
    model = req.model
    messages = req.messages
    for msg in messages:
        if msg.role == "tool" or msg.tool_calls:
            continue
        if not msg.text.strip() and not msg.images and not msg.audios:
            raise plain_invalid_argument(
                "Unable to submit request because it must include at least one parts field, "
                "which describes the prompt input. Learn more: "
                "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini"
            )
    details = {d for msg in messages for d in msg.image_details}
    if model.family == "gemini-2.5" and len(details) > 1:
        # §3: before Gemini 3 `detail` is request-level; mixed values are an error
        # (wording: emulator choice).
        raise plain_invalid_argument(
            "Mixed image detail values in one request are not supported by this model: "
            + ", ".join(sorted(details))
            + "."
            + EMULATOR_WORDING
        )
    if model.is_gemini3 and messages and messages[-1].role == "assistant":
        raise plain_invalid_argument("Requests ending with a model turn are not supported.")
    if not model.text_beside_calls:
        for msg in messages:
            if msg.tool_calls and msg.text.strip():
                raise plain_invalid_argument("Request contains an invalid argument.")
    blocks = _blocks(messages)
    count_error = (
        "Please ensure that the number of function response parts is equal to the number of "
        "function call parts of the function call turn."
    )
    for pos, block in enumerate(blocks):
        head = block[0]
        if head.role == "tool":
            prev = blocks[pos - 1][0] if pos else None
            if prev is None or not prev.tool_calls:
                raise plain_invalid_argument(
                    "Please ensure that function response turn comes immediately after a "
                    "function call turn."
                )
            if len(block) != len(prev.tool_calls):
                raise plain_invalid_argument(count_error)
        elif head.tool_calls:
            following = blocks[pos + 1][0] if pos + 1 < len(blocks) else None
            if following is not None and following.role != "tool":
                raise plain_invalid_argument(count_error)
            first = head.tool_calls[0].signature
            issued = signature_calls(first) if first else None
            if issued is not None and issued > len(head.tool_calls):
                # Parallel calls sent back as several turns (interleaved with results, §3).
                raise plain_invalid_argument(count_error)
    if model.is_gemini3:
        _signatures(blocks, signature_calls)


def _signatures(blocks: list[list[Msg]], signature_calls: SignatureLookup) -> None:
    """A9: Gemini 3 thought-signature validation (§6)."""

    def known(sig: str) -> bool:
        return sig == SKIP_SIGNATURE or signature_calls(sig) is not None

    invalid = plain_invalid_argument("Thought signature is not valid.")
    last_user = max((i for i, b in enumerate(blocks) if b[0].role == "user"), default=-1)
    for pos, block in enumerate(blocks):
        msg = block[0]
        if msg.role != "assistant":
            continue
        if msg.signature is not None and not known(msg.signature):
            raise invalid
        for call in msg.tool_calls:
            if call.signature is not None and not known(call.signature):
                raise invalid
        if pos > last_user and msg.tool_calls and msg.tool_calls[0].signature is None:
            name = msg.tool_calls[0].name
            raise plain_invalid_argument(
                f"Unable to submit request because function call `default_api:{name}` in the "
                f"{pos + 1}. content block is missing a `thought_signature`. Learn more: "
                "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures"
            )
