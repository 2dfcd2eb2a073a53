"""One model call: parameters merged into a request, and the answer mapped back (pure).

Shared by the sync and async paths of `ChatVertexOpenAI`, which only add the I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from langchain_vertex_openai._catalog import model_facts
from langchain_vertex_openai._endpoint import normalize_model_id
from langchain_vertex_openai._google import SETTINGS as GOOGLE_SETTINGS
from langchain_vertex_openai._google import check_no_conflict, google_settings
from langchain_vertex_openai._request import (
    CALL_ALIASES,
    build_body,
    deep_merge,
    normalize_extra_body,
)
from langchain_vertex_openai._response import StreamState, chat_result_from_completion
from langchain_vertex_openai._settings import (
    check_capability,
    check_model,
    check_numbers,
    check_timeout,
)
from langchain_vertex_openai._structured import GeminiResponseFormat
from langchain_vertex_openai._thoughts import THOUGHT_TAG, ThoughtSplitter
from langchain_vertex_openai._tools import (
    convert_tool_choice,
    gemini_response_format,
    per_call_tools,
)
from langchain_vertex_openai._validation import check_flag, check_stop, validate_request

_SDK_OPTIONS = {"extra_headers": "headers", "extra_query": "extra_query", "timeout": "timeout"}


@dataclass(frozen=True)
class PreparedCall:
    """The request body, the SDK options, and how to read the answer."""

    body: dict[str, Any]
    options: Any
    stream_usage: bool
    single_tool_call: bool
    thought_tag: str | None

    def result(self, completion: object) -> ChatResult:
        """Map a non-streaming answer to a `ChatResult`."""
        return chat_result_from_completion(
            completion,
            requested_model=self.body["model"],
            single_tool_call=self.single_tool_call,
            thought_tag=self.thought_tag,
        )

    def stream_state(self) -> StreamState:
        """Fresh state for reading this call's stream."""
        return StreamState(
            requested_model=self.body["model"],
            include_usage=self.stream_usage,
            single_tool_call=self.single_tool_call,
            thoughts=ThoughtSplitter(self.thought_tag) if self.thought_tag else None,
        )


def _asks_for_structure(response_format: Any) -> bool:
    if response_format is None:
        return False
    kind = response_format.get("type") if isinstance(response_format, Mapping) else None
    return kind not in ("text", "text/plain")


def prepare_call(
    messages: Sequence[BaseMessage],
    *,
    defaults: Mapping[str, Any],
    extra_body: Mapping[str, Any] | None,
    call_kwargs: Mapping[str, Any],
    stop: list[str] | None,
    stream: bool,
    stream_usage: bool,
    cache_location: str | None,
    signature_placeholder: bool = True,
) -> PreparedCall:
    """Merge model defaults with per-call kwargs (which win) into one request.

    Raises:
        ValueError: For settings that cannot work together, before any request.
    """
    call = _canonical_names(call_kwargs)
    # Usage order: the call's stream_usage, its stream_options (which Vertex ignores, so
    # it is not sent), then the model's field.
    stream_options = call.pop("stream_options", None) or {}
    if type(stream_options) is not dict and not isinstance(stream_options, Mapping):
        msg = (
            f"stream_options must be a dict such as {{'include_usage': True}}, got "
            f"{stream_options!r:.40}; or pass stream_usage=True/False."
        )
        raise ValueError(msg)
    report_usage = call.pop("stream_usage", stream_options.get("include_usage", stream_usage))
    # Vertex ignores parallel_tool_calls, so False is enforced on the response.
    single_tool_call = check_flag("parallel_tool_calls", call.pop("parallel_tool_calls", None))
    options = {_SDK_OPTIONS[name]: call.pop(name) for name in list(call) if name in _SDK_OPTIONS}
    if "timeout" in options:
        check_timeout(options["timeout"])
    params = {**defaults, **call}
    params["model"] = normalize_model_id(params["model"])
    if call:
        check_numbers(params)  # per-call values get the checks construction applies
    if "model" in call:
        check_model(model_facts(params["model"]), location=cache_location)
    if stop is not None:
        params["stop"] = check_stop(stop)
    settings = {name: params.pop(name, None) for name in GOOGLE_SETTINGS}
    top, google = google_settings(params["model"], settings, location=cache_location)
    user_extra = deep_merge(
        # Most calls have neither: skip the checks (this runs on every call).
        normalize_extra_body(extra_body) if extra_body else {},
        normalize_extra_body(call_extra) if (call_extra := params.pop("extra_body", None)) else {},
    )
    params = deep_merge(deep_merge(params, top), user_extra)
    if google:
        params = deep_merge(params, {"extra_body": {"google": google}})
    check_no_conflict(params)
    params, thought_tag = _with_thought_tag(params)
    response_format = params.get("response_format")
    if response_format is not None and not isinstance(response_format, GeminiResponseFormat):
        # Raw formats (agents bind pydantic's schema as is) are cut on every call.
        params["response_format"] = gemini_response_format(response_format)
    params.pop("stream", None)
    if stream:
        params["stream"] = True
    # Gemini's request rules (documented parameters only, signature placeholders).
    google_model = model_facts(params["model"]).is_gemini
    if params.get("tools"):
        params["tools"], search = per_call_tools(params["tools"])
        if search is not None:
            params.setdefault("web_search_options", search)
        if not params["tools"]:
            del params["tools"]
    if params.get("tool_choice") is not None:
        # A per-call tool_choice may come in LangChain's forms ("any", True, a tool name).
        choice = convert_tool_choice(params.pop("tool_choice"), params.get("tools") or [])
        if choice is not None:
            params["tool_choice"] = choice
    # Per-call tools and response formats meet the catalogue as bind_tools' do (§1).
    if params.get("tools"):
        check_capability(params["model"], "tools")
    if _asks_for_structure(params.get("response_format")):
        check_capability(params["model"], "structured_output")
    validate_request(
        messages,
        model=params["model"],
        tools=params.get("tools"),
        tool_choice=params.get("tool_choice"),
    )
    body = build_body(
        messages, params, google_model=google_model, placeholder=signature_placeholder
    )
    return PreparedCall(
        body=body,
        options=options,
        stream_usage=bool(report_usage),
        single_tool_call=single_tool_call,
        thought_tag=thought_tag,
    )


def _canonical_names(call_kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Per-call kwargs with the native integrations' names (`max_output_tokens`) as ours.

    Raises:
        ValueError: For one setting given under both names.
    """
    call = dict(call_kwargs)
    for native, ours in CALL_ALIASES.items():
        if native in call:
            if ours in call:
                msg = f"{ours} and {native} are the same setting; pass only one of them."
                raise ValueError(msg)
            call[ours] = call.pop(native)
    return call


def _with_thought_tag(params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Ask for tagged thoughts whenever thoughts are requested, however they were set.

    Vertex returns thoughts untagged unless `thought_tag_marker` is set (docs/vertex-facts.md
    §5); a marker the user chose is kept and used for splitting.
    """
    extra = params.get("extra_body") or {}
    google = extra.get("google") or {}
    if not (google.get("thinking_config") or {}).get("include_thoughts"):
        return params, None
    tag = str(google.get("thought_tag_marker") or THOUGHT_TAG)
    google = {**google, "thought_tag_marker": tag}
    return {**params, "extra_body": {**extra, "google": google}}, tag
