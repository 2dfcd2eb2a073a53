"""The emulator follows docs/vertex-facts.md, and says so where it has to choose.

Each test names the section it pins. Driven with raw HTTP (``httpx2``) and the ``openai`` SDK,
never with the package's chat model.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx2
import openai
import pytest

from langchain_vertex_openai.testing import VertexEmulator
from tests.helpers import post_chat

HELLO = [{"role": "user", "content": "Hello there"}]
FLASH_25 = "google/gemini-2.5-flash"
FLASH_35 = "google/gemini-3.5-flash"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]
WEATHER = [{"role": "user", "content": "get_weather for 'Paris'"}]
EMULATOR_CHOICE = "emulator's choice"


def ok(emu: VertexEmulator, body: dict) -> dict:
    response = post_chat(emu, body)
    assert response.status_code == 200, response.text
    return response.json()


def chunks(emu: VertexEmulator, body: dict) -> list[dict]:
    response = post_chat(emu, {**body, "stream": True})
    assert response.status_code == 200, response.text
    payloads = [line[6:] for line in response.text.split("\n") if line.startswith("data: ")]
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


def error_of(response: httpx2.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, dict), "Vertex answers errors as an object (§10)"
    return body["error"]


# -- §1 locations ---------------------------------------------------------------------------

GEMINI_35_FLASH_LOCATIONS = [
    "global",
    "us",
    "eu",
    "northamerica-northeast1",
    "europe-west2",
    "europe-west3",
    "asia-northeast1",
    "asia-south1",
    "asia-southeast1",
    "australia-southeast1",
]


@pytest.mark.parametrize("location", GEMINI_35_FLASH_LOCATIONS)
def test_gemini_35_flash_answers_in_its_documented_locations(location):
    with VertexEmulator(location=location) as emu:
        assert ok(emu, {"model": FLASH_35, "messages": HELLO})["model"] == FLASH_35


@pytest.mark.parametrize("location", ["us-central1", "asia-east1", "europe-west4"])
def test_gemini_35_flash_is_a_vertex_404_elsewhere(location):
    with VertexEmulator(location=location) as emu:
        error = error_of(post_chat(emu, {"model": FLASH_35, "messages": HELLO}), 404)
        assert error["status"] == "NOT_FOUND"
        assert error["code"] == 404
        assert error["message"] == (
            f"Publisher Model projects/{emu.project}/locations/{location}/publishers/google/"
            "models/gemini-3.5-flash was not found or your project does not have access to it."
        )


@pytest.mark.parametrize(
    ("model", "served", "not_served"),
    [
        ("google/gemini-3.1-pro-preview", "global", "us"),  # §1: global only
        ("google/gemini-3-flash-preview", "global", "eu"),  # §1: preview -> global
        ("google/gemini-3.1-flash-image", "global", "us"),  # §1: global only
        ("google/gemini-3.7-flash", "eu", "us-central1"),  # §1: global + multi-regions
        ("deepseek-ai/deepseek-v3.1-maas", "us-west2", "global"),  # §12: regional only
        ("openai/gpt-oss-120b-maas", "global", "us-central1"),  # §12
    ],
)
def test_documented_locations_per_model(model, served, not_served):
    with VertexEmulator(location=served) as emu:
        ok(emu, {"model": model, "messages": HELLO})
    with VertexEmulator(location=not_served) as emu:
        error_of(post_chat(emu, {"model": model, "messages": HELLO}), 404)


def test_models_without_a_documented_region_list_are_not_refused_regionally():
    # §1: "Other Gemini models: no per-model list is recorded" -> the emulator invents no 404.
    with VertexEmulator(location="us-central1") as emu:
        for model in ("google/gemini-3.6-flash", FLASH_25, "meta/llama-3.3-70b-instruct-maas"):
            ok(emu, {"model": model, "messages": HELLO})


# -- §1 ids that are not Chat Completions models ----------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "google/gemini-2.5-flash-lite",
        "google/gemini-omni-flash",
        "google/gemini-3.5-live-translate",
    ],
)
def test_non_chat_completions_ids_answer_an_error_that_owns_its_wording(vertex_emulator, model):
    error = error_of(post_chat(vertex_emulator, {"model": model, "messages": HELLO}), 400)
    assert error["status"] == "INVALID_ARGUMENT"
    assert "not supported by the Chat Completions API" in error["message"]
    assert EMULATOR_CHOICE in error["message"]
    assert "google/gemini-3.5-flash" in error["message"]  # names models that are
    token = vertex_emulator.issue_token()
    with (
        openai.OpenAI(base_url=vertex_emulator.base_url, api_key=token) as client,
        pytest.raises(openai.BadRequestError, match="Chat Completions"),
    ):
        client.chat.completions.create(model=model, messages=HELLO)


# -- §1 / §7 image models -----------------------------------------------------------------------

IMAGE_MODELS = [
    "google/gemini-3.1-flash-image",
    "google/gemini-3.1-flash-lite-image",
    "google/gemini-3-pro-image-preview",
]
DRAW = [{"role": "user", "content": "Draw a teal square"}]


def assert_png(data: str) -> None:
    assert base64.b64decode(data, validate=True).startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("model", IMAGE_MODELS)
def test_image_models_answer_with_an_image_in_message_audio(vertex_emulator, model):
    body = {"model": model, "messages": DRAW, "modalities": ["image", "text"]}
    choice = ok(vertex_emulator, body)["choices"][0]
    message = choice["message"]
    assert message["content"] is None  # §7: content null beside message.audio
    assert message["audio"]["extra_content"] == {"google": {"mime_type": "image/png"}}
    assert_png(message["audio"]["data"])
    assert choice["finish_reason"] == "stop"
    # §6: image output carries the message signature (Gemini 3 image models think).
    signature = message["extra_content"]["google"]["thought_signature"]
    assert vertex_emulator.signature_issued(signature)
    streamed = chunks(vertex_emulator, body)
    audio = [
        c["choices"][0]["delta"]["audio"] for c in streamed if "audio" in c["choices"][0]["delta"]
    ]
    assert len(audio) == 1
    assert_png(audio[0]["data"])
    assert streamed[-1]["choices"][0]["finish_reason"] == "stop"


def test_image_models_answer_in_choices_image_when_selected():
    with VertexEmulator(image_style="choice_image") as emu:
        body = {"model": IMAGE_MODELS[0], "messages": DRAW, "modalities": ["image", "text"]}
        choice = ok(emu, body)["choices"][0]
        assert "audio" not in choice["message"]
        assert choice["image"]["mime_type"] == "image/png"
        assert_png(choice["image"]["data"])
        last = chunks(emu, body)[-1]["choices"][0]
        assert_png(last["image"]["data"])


@pytest.mark.parametrize(
    "extra",
    [
        {"tools": TOOLS},
        {"response_format": {"type": "json_object"}},
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object", "properties": {}}},
            }
        },
    ],
)
@pytest.mark.parametrize("model", IMAGE_MODELS)
def test_image_models_refuse_tools_and_structured_output(vertex_emulator, model, extra):
    error = error_of(post_chat(vertex_emulator, {"model": model, "messages": DRAW, **extra}), 400)
    assert "Not supported" in error["message"]
    assert EMULATOR_CHOICE in error["message"]


# -- §5 thinking levels -------------------------------------------------------------------------


@pytest.mark.parametrize("model", [FLASH_25, "google/gemini-2.5-pro"])
def test_minimal_is_not_a_gemini_25_effort(vertex_emulator, model):
    response = post_chat(
        vertex_emulator, {"model": model, "messages": HELLO, "reasoning_effort": "minimal"}
    )
    error = error_of(response, 400)
    assert "'minimal'" in error["message"] and "low, medium, high" in error["message"]
    assert EMULATOR_CHOICE in error["message"]
    ok(vertex_emulator, {"model": model, "messages": HELLO, "reasoning_effort": "low"})


@pytest.mark.parametrize(
    ("model", "taken", "refused"),
    [
        (FLASH_35, ["minimal", "low", "medium", "high"], []),
        ("google/gemini-3.8-flash", ["low", "medium", "high"], ["minimal"]),
        ("google/gemini-3.1-flash-image", ["minimal", "high"], ["low", "medium"]),
        ("google/gemini-3-pro-image-preview", ["high"], ["minimal", "low", "medium"]),
    ],
)
def test_gemini3_levels_per_model(vertex_emulator, model, taken, refused):
    for level in taken:
        ok(vertex_emulator, {"model": model, "messages": DRAW, "reasoning_effort": level})
    for level in refused:
        response = post_chat(
            vertex_emulator, {"model": model, "messages": DRAW, "reasoning_effort": level}
        )
        assert "Supported levels" in error_of(response, 400)["message"]


# -- §6 signatures ------------------------------------------------------------------------------


def _text_signature(message_or_delta: dict) -> str | None:
    return (message_or_delta.get("extra_content") or {}).get("google", {}).get("thought_signature")


def test_gemini_25_signs_no_text_answer_without_calls(vertex_emulator):
    body = {"model": FLASH_25, "messages": HELLO}
    assert _text_signature(ok(vertex_emulator, body)["choices"][0]["message"]) is None
    for chunk in chunks(vertex_emulator, body):
        assert _text_signature(chunk["choices"][0]["delta"]) is None
    # With function calls, 2.5 signs the first part.
    call = ok(vertex_emulator, {"model": FLASH_25, "messages": WEATHER, "tools": TOOLS})
    first = call["choices"][0]["message"]["tool_calls"][0]
    assert vertex_emulator.signature_issued(first["extra_content"]["google"]["thought_signature"])


def test_gemini_3_signs_a_text_answer_only_when_it_thought(vertex_emulator):
    body = {"model": FLASH_35, "messages": HELLO}
    answer = ok(vertex_emulator, body)
    assert answer["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    assert vertex_emulator.signature_issued(_text_signature(answer["choices"][0]["message"]))
    streamed = chunks(vertex_emulator, body)
    assert vertex_emulator.signature_issued(_text_signature(streamed[-1]["choices"][0]["delta"]))
    vertex_emulator.queue_reply("No thinking here.", reasoning_tokens=0)
    unthought = ok(vertex_emulator, body)["choices"][0]["message"]
    assert unthought["content"] == "No thinking here."
    assert _text_signature(unthought) is None


# -- §12 partner models ---------------------------------------------------------------------------

DEEPSEEK = "deepseek-ai/deepseek-v3.2-maas"


def _streamed_text(streamed: list[dict], key: str = "content") -> str:
    return "".join(c["choices"][0]["delta"].get(key) or "" for c in streamed)


def test_deepseek_reasoning_inline_ended_by_a_bare_closing_tag(vertex_emulator):
    message = ok(vertex_emulator, {"model": DEEPSEEK, "messages": HELLO})["choices"][0]["message"]
    reasoning, _, answer = message["content"].partition("</think>")
    assert "<think>" not in message["content"]
    assert "Considering the request" in reasoning
    assert answer == f"Emulated reply from {DEEPSEEK}: Hello there"
    assert "reasoning_content" not in message
    streamed = chunks(vertex_emulator, {"model": DEEPSEEK, "messages": HELLO})
    assert _streamed_text(streamed) == message["content"]
    pieces = [c["choices"][0]["delta"].get("content") or "" for c in streamed]
    assert not any("</think>" in piece for piece in pieces), "the tag is split across chunks"
    for chunk in streamed:
        assert chunk["id"].count("|") == 3 and chunk["system_fingerprint"] == ""


def test_deepseek_reasoning_in_think_tags_when_selected():
    with VertexEmulator(partner_reasoning_style="think_tags") as emu:
        content = ok(emu, {"model": DEEPSEEK, "messages": HELLO})["choices"][0]["message"][
            "content"
        ]
        assert re.fullmatch(
            r"<think>.*Considering the request.*</think>Emulated reply .*", content, re.S
        )
        assert _streamed_text(chunks(emu, {"model": DEEPSEEK, "messages": HELLO})) == content


def test_deepseek_reasoning_as_a_reasoning_content_field_when_selected():
    with VertexEmulator(partner_reasoning_style="reasoning_content") as emu:
        message = ok(emu, {"model": DEEPSEEK, "messages": HELLO})["choices"][0]["message"]
        assert "Considering the request" in message["reasoning_content"]
        assert message["content"] == f"Emulated reply from {DEEPSEEK}: Hello there"
        streamed = chunks(emu, {"model": DEEPSEEK, "messages": HELLO})
        assert _streamed_text(streamed, "reasoning_content") == message["reasoning_content"]
        assert _streamed_text(streamed) == message["content"]


def test_partner_models_without_reasoning_write_none(vertex_emulator):
    for model in ("meta/llama-3.3-70b-instruct-maas", "openai/gpt-oss-120b-maas"):
        answer = ok(vertex_emulator, {"model": model, "messages": HELLO})
        assert "think>" not in answer["choices"][0]["message"]["content"]
        assert "completion_tokens_details" not in answer["usage"]


LLAMA = "meta/llama-3.3-70b-instruct-maas"
_CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
_TOOL_TURN = [
    {"role": "user", "content": "go"},
    {"role": "assistant", "content": None, "tool_calls": [_CALL]},
    {"role": "tool", "tool_call_id": "c1", "content": "done"},
]


@pytest.mark.parametrize(
    ("messages", "fragment"),
    [
        ([{"role": "assistant", "content": "hi"}, *HELLO], "the first message must use the user"),
        (
            [{"role": "system", "content": "s"}, {"role": "assistant", "content": "hi"}, *HELLO],
            "the first message must use the user",
        ),
        ([*HELLO, *HELLO], "both user turns"),
        (
            [*HELLO, {"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}],
            "both assistant turns",
        ),
    ],
)
def test_open_models_refuse_turns_out_of_order(vertex_emulator, messages, fragment):
    # §12: "The first message must use the user role", then alternating turns.
    body = {"model": LLAMA, "messages": messages}
    message = error_of(post_chat(vertex_emulator, body), 400)["message"]
    assert fragment in message
    assert "Wording is the emulator's choice" in message


@pytest.mark.parametrize(
    "messages",
    [
        [*HELLO, {"role": "assistant", "content": "The answer is"}],  # prefill (§12)
        [{"role": "system", "content": "s"}, *HELLO],
        _TOOL_TURN,
        [*_TOOL_TURN, {"role": "assistant", "content": "it is done"}, *HELLO],
        [*_TOOL_TURN, *HELLO],
    ],
)
def test_open_models_take_alternating_turns_prefill_and_tool_turns(vertex_emulator, messages):
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    assert ok(vertex_emulator, {"model": LLAMA, "messages": messages, "tools": tools})["choices"]


def test_grok_reports_reasoning_tokens_beside_completion_tokens(vertex_emulator):
    usage = ok(vertex_emulator, {"model": "xai/grok-4-maas", "messages": HELLO})["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + reasoning


# -- §9 response_format with a MIME type ----------------------------------------------------------


def test_response_format_mime_types_are_passed_through(vertex_emulator_strict):
    emu = vertex_emulator_strict
    ask = [{"role": "user", "content": "Give 'setup' and 'punchline'"}]
    as_json = ok(
        emu, {"model": FLASH_35, "messages": ask, "response_format": {"type": "application/json"}}
    )
    assert set(json.loads(as_json["choices"][0]["message"]["content"])) == {"setup", "punchline"}
    for mime in ("text/plain", "text/x.enum"):
        body = {"model": FLASH_35, "messages": HELLO, "response_format": {"type": mime}}
        content = ok(emu, body)["choices"][0]["message"]["content"]
        assert content == f"Emulated reply from {FLASH_35}: Hello there"
    bad = post_chat(
        emu, {"model": FLASH_35, "messages": HELLO, "response_format": {"type": "yaml"}}
    )
    error_of(bad, 400)


# -- refusals of the emulator's own making say so ---------------------------------------------

OWN_REFUSALS = {
    "tool_choice names an unbound function": {
        "tools": TOOLS,
        "tool_choice": {"type": "function", "function": {"name": "nope"}},
    },
    "required without tools": {"tool_choice": "required"},
    "thinking budget below -1": {
        "extra_body": {"google": {"thinking_config": {"thinking_budget": -2}}}
    },
    "a PDF by https URL": {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "read"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.pdf"}},
                ],
            }
        ]
    },
}


def _user_part(part: dict[str, Any]) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": [{"type": "text", "text": "see"}, part]}]}


OWN_REFUSALS.update(
    {
        "a malformed gs:// URI": _user_part(
            {"type": "image_url", "image_url": {"url": "gs://Bucket/a.png"}}
        ),
        "a URL scheme §8 does not name": _user_part(
            {"type": "image_url", "image_url": {"url": "ftp://example.com/a.png"}}
        ),
        "an audio format that is not wav, mp3 or a MIME type": _user_part(
            {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "flac"}}
        ),
        "n below 1": {"n": 0},
        "a media_resolution that is not an enum name": {
            "extra_body": {"google": {"media_resolution": "low"}}
        },
    }
)

#: Refusals §11 documents, in the emulator's words.
OWN_WORDING = {
    "a malformed data URI": _user_part(
        {"type": "image_url", "image_url": {"url": "data:image/png,abc"}}
    ),
    "input_audio without format": _user_part(
        {"type": "input_audio", "input_audio": {"data": "AAAA"}}
    ),
    "a content part type Gemini does not read": _user_part(
        {"type": "file", "file": {"file_id": "x"}}
    ),
}


@pytest.mark.parametrize("case", sorted(OWN_WORDING))
def test_documented_content_refusals_say_the_wording_is_the_emulators(vertex_emulator, case):
    body = {"model": FLASH_25, "messages": HELLO, **OWN_WORDING[case]}
    message = error_of(post_chat(vertex_emulator, body), 400)["message"]
    assert "Wording is the emulator's choice" in message


@pytest.mark.parametrize("case", sorted(OWN_REFUSALS))
def test_refusals_of_the_emulators_making_say_so(vertex_emulator, case):
    body = {"model": FLASH_25, "messages": HELLO, **OWN_REFUSALS[case]}
    message = error_of(post_chat(vertex_emulator, body), 400)["message"]
    assert "This refusal is the emulator's choice" in message


def test_documented_refusals_with_undocumented_text_say_whose_wording_it_is(vertex_emulator):
    body = {
        "model": FLASH_25,
        "messages": HELLO,
        "reasoning_effort": "low",
        "extra_body": {"google": {"thinking_config": {"include_thoughts": True}}},
    }
    message = error_of(post_chat(vertex_emulator, body), 400)["message"]
    assert message.startswith("Only one of reasoning_effort")
    assert "Wording is the emulator's choice" in message


@pytest.mark.parametrize("value", ["MEDIA_RESOLUTION_LOW", "MEDIA_RESOLUTION_HIGH"])
def test_media_resolution_takes_vertex_enum_names(vertex_emulator_strict, value):
    # §4: Vertex's GenerationConfig.MediaResolution enum.
    body = {
        "model": FLASH_35,
        "messages": HELLO,
        "extra_body": {"google": {"media_resolution": value}},
    }
    assert ok(vertex_emulator_strict, body)["choices"]
