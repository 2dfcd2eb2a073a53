"""Hostile inputs found in review: each is refused with a ValueError naming the fix.

Pure: `prepare_call` builds the request without sending it, so nothing here opens a socket.
"""

from __future__ import annotations

import datetime

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from langchain_vertex_openai._call import prepare_call


def prepare(messages: list[BaseMessage]) -> object:
    return prepare_call(
        messages,
        defaults={"model": "google/gemini-3.5-flash"},
        extra_body=None,
        call_kwargs={},
        stop=None,
        stream=False,
        stream_usage=True,
        cache_location="global",
    )


@pytest.mark.parametrize("data", [5, b"aGVsbG8=", ["aGVsbG8="]])
def test_base64_data_that_is_not_a_string_is_refused_naming_the_fix(data: object) -> None:
    block = {"type": "image", "base64": data, "mime_type": "image/png"}
    with pytest.raises(ValueError, match=r"Message 0 .*block 0.*not a string.*b64encode"):
        prepare([HumanMessage(content=[block])])


@pytest.mark.parametrize("audio", ["aGVsbG8=", ["aGVsbG8=", "wav"], 5])
def test_input_audio_that_is_not_a_dict_is_refused_naming_the_fix(audio: object) -> None:
    block = {"type": "input_audio", "input_audio": audio}
    with pytest.raises(ValueError, match=r"Message 0 .*input_audio needs.*'format': 'wav'"):
        prepare([HumanMessage(content=[block])])


@pytest.mark.parametrize(
    "value", [{1, 2}, object(), datetime.date(2026, 12, 1), float("nan")], ids=repr
)
def test_tool_call_args_that_are_not_json_are_refused_naming_the_call(value: object) -> None:
    history = [
        HumanMessage("weather?"),
        AIMessage("", tool_calls=[{"name": "f", "args": {"a": value}, "id": "c1"}]),
        ToolMessage("sunny", tool_call_id="c1"),
    ]
    with pytest.raises(ValueError, match=r"Message 1 \(ai\), tool call 0 \('f'\).*JSON values"):
        prepare(history)
