"""Rendering a :class:`~.brain.Plan` in Vertex's wire format (``docs/vertex-facts.md`` §5, §6, §7).

Non-streaming: one ``chat.completion`` object. Streaming: ``chat.completion.chunk`` objects,
``role: "assistant"`` in every delta, no ``finish_reason`` key on intermediate chunks, the last
content piece + ``finish_reason`` + usage together on the final chunk (no usage-only chunk);
every chunk carries ``"logprobs": null`` and ``"system_fingerprint": ""`` (§7).

Tool-call turns end with ``finish_reason: "tool_calls"``, streamed too, on the last fragment
together with the usage and without a trailing empty chunk, as in Google's only Vertex stream
example (§7). ``tool_stream_finish="stop"`` reproduces the third-party recordings instead
(``stop``, and Gemini 3's separate trailing chunk with empty content). Each call comes whole
in one delta without ``index``.

Thought signatures (§6): on the first call of a tool turn (Gemini models); on a text or
image answer only when a Gemini 3 model thought (Gemini 2.5 signs no part of an answer
without calls).

Partner (MaaS) models (§12): pipe-delimited ``id`` and ``created`` on every chunk; DeepSeek-
style reasoning in one of the shapes seen: a ``reasoning_content`` field, or inline in
``content`` ended by ``</think>`` (with or without the opening tag; streamed, the closing tag
is split across two chunks, as tokenisers do).

Image models (§1, §7, beta): the answer is a PNG, as ``message.audio`` with
``extra_content.google.mime_type`` and ``content: null`` (quick-start), or as
``choices[i].image`` (examples page; its inner keys are not documented: the emulator sends
``{"data", "mime_type"}``). Streamed (not documented), the image comes whole in one delta
(``delta.audio`` / the chunk choice's ``image``).
"""

from __future__ import annotations

import json
import math
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

from langchain_vertex_openai.testing.brain import Plan, PlannedCall
from langchain_vertex_openai.testing.media import tokens as media_tokens
from langchain_vertex_openai.testing.request import ChatRequest
from langchain_vertex_openai.testing.state import SignatureBook, new_response_id

IdStyle = Literal["function_name", "empty", "numeric"]
UsageStyle = Literal["vertex", "gemini_api"]
ImageStyle = Literal["audio", "choice_image"]
PartnerReasoningStyle = Literal["closing_tag", "think_tags", "reasoning_content"]
ToolStreamFinish = Literal["tool_calls", "stop"]

#: A 1x1 teal PNG, the emulator's image answer (emulator choice: deterministic and tiny).
IMAGE_PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQKn4BAAIgAXZmNuK1AAAAAElFTkSuQmCC"
)
#: Output tokens of one image (emulator choice, like an input image's, ``media.tokens``).
IMAGE_TOKENS = 258

#: Thinking-token multipliers per level (emulator choice; deterministic).
_LEVEL_FACTOR = {"minimal": 0.5, "low": 1.0, "medium": 2.0, "high": 3.0, "none": 0.0}


def dumps(obj: Any) -> str:
    """Compact JSON with alphabetically sorted keys, as Vertex sends (§7).

    Args:
        obj: A JSON-serialisable object.

    Returns:
        The JSON text.
    """
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def count_tokens(text: str | None) -> int:
    """Deterministic token estimate: one token per 4 characters, rounded up.

    Args:
        text: The text (None counts as 0).

    Returns:
        The estimate.
    """
    return math.ceil(len(text) / 4) if text else 0


def prompt_tokens(req: ChatRequest) -> int:
    """Deterministic prompt token count: text/4 + 3 per message, plus media tokens.

    Media: 258 per image/PDF/text file, 100 per audio clip, 300 per video (``media.tokens``).

    Args:
        req: The validated request.

    Returns:
        The count.
    """
    total = 0
    for msg in req.messages:
        total += 3 + count_tokens(msg.text) + sum(media_tokens(m) for m in msg.media)
        for call in msg.tool_calls:
            total += count_tokens(call.name) + count_tokens(str(call.arguments))
    for tool in req.tools:
        total += count_tokens(tool.name + tool.description + json.dumps(tool.parameters))
    return max(total, 1)


def reasoning_tokens(req: ChatRequest, prompt: int) -> int:
    """Deterministic thinking-token count for a request (0 when not thinking, §5).

    Args:
        req: The validated request.
        prompt: Its prompt token count.

    Returns:
        The count (capped by the thinking budget).
    """
    thinking = req.thinking
    if not thinking.enabled:
        return 0
    factor = _LEVEL_FACTOR.get(thinking.level or "medium", 2.0)
    count = max(1, int((8 + prompt) * factor))
    if thinking.budget is not None and thinking.budget > 0:
        count = min(count, thinking.budget)
    return count


def call_id(name: str, style: IdStyle) -> str:
    """A tool-call id in one of the styles seen on Vertex (§7).

    Args:
        name: The function name.
        style: ``function_name`` (the id is the name), ``empty`` or ``numeric``.

    Returns:
        The id.
    """
    if style == "function_name":
        return name
    if style == "empty":
        return ""
    return "function-call-" + str(secrets.randbelow(10**19) + 10**19)


@dataclass
class Settings:
    """Emulator-wide rendering settings.

    Attributes:
        id_style: Tool-call id style.
        usage_style: ``vertex`` or ``gemini_api`` usage arithmetic (§5).
        image_style: ``audio`` (``message.audio``) or ``choice_image`` (``choices[].image``).
        partner_reasoning_style: ``closing_tag`` (reasoning, ``</think>``, answer),
            ``think_tags`` (``<think>…</think>`` first) or ``reasoning_content`` (a field).
        tool_stream_finish: ``tool_calls`` (Google's example) or ``stop`` (recordings).
    """

    id_style: IdStyle = "function_name"
    usage_style: UsageStyle = "vertex"
    image_style: ImageStyle = "audio"
    partner_reasoning_style: PartnerReasoningStyle = "closing_tag"
    tool_stream_finish: ToolStreamFinish = "tool_calls"


def partner_response_id() -> str:
    """A MaaS response id: pipe-delimited date, time, host and a number (§12).

    Returns:
        E.g. ``2026-12-01|10:00:00.292195+00|127.0.0.1|-1234567890``.
    """
    now = time.time()
    stamp = time.strftime("%Y-%m-%d|%H:%M:%S", time.gmtime(now))
    micros = int((now % 1) * 1_000_000)
    return f"{stamp}.{micros:06d}+00|127.0.0.1|-{secrets.randbelow(10**10)}"


def build_usage(prompt: int, completion: int, reasoning: int, style: UsageStyle) -> dict[str, Any]:
    """The usage object (§5).

    Args:
        prompt: Prompt tokens.
        completion: Completion tokens EXCLUDING thinking.
        reasoning: Thinking tokens.
        style: ``vertex`` (details + traffic type) or ``gemini_api`` (hidden thinking).

    Returns:
        The usage dict; ``total_tokens`` is always prompt + completion + reasoning.
    """
    usage: dict[str, Any] = {
        "completion_tokens": completion,
        "prompt_tokens": prompt,
        "total_tokens": prompt + completion + reasoning,
    }
    if style == "vertex":
        usage["extra_properties"] = {"google": {"traffic_type": "ON_DEMAND"}}
        if reasoning:
            usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return usage


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


@dataclass
class _Choice:
    answer: str | None
    thought: str | None
    calls: list[dict[str, Any]]
    finish: str
    text_signature: str | None
    image: str | None = None


class Renderer:
    """Renders one plan for one request (ids, signatures and usage computed once)."""

    def __init__(
        self, req: ChatRequest, plan: Plan, settings: Settings, signatures: SignatureBook
    ) -> None:
        self.req = req
        self.plan = plan
        self.settings = settings
        self.signatures = signatures
        self.partner = req.model.family == "partner"
        self.id = partner_response_id() if self.partner else new_response_id()
        self.created = int(time.time())
        self.prompt = prompt_tokens(req)
        self.choices: list[_Choice] = []
        completion = 0
        reasoning = 0
        for _ in range(0 if plan.prompt_blocked else max(1, req.n)):
            choice, used, thought_tokens = self._choice()
            self.choices.append(choice)
            completion += used
            reasoning += thought_tokens
        if plan.usage is not None:
            self.usage = plan.usage
        else:
            self.usage = build_usage(self.prompt, completion, reasoning, settings.usage_style)

    def _tool_call(self, call: PlannedCall, first: bool, total: int) -> dict[str, Any]:
        item: dict[str, Any] = {
            "function": {"arguments": call.arguments, "name": call.name},
            "id": call.id if call.id is not None else call_id(call.name, self.settings.id_style),
            "type": "function",
        }
        signature = call.signature
        if call.auto_signature:
            gemini = self.req.model.is_gemini
            signature = self.signatures.issue(total) if (first and gemini) else None
        elif signature is not None:
            self.signatures.register(signature, total)
        if signature is not None:
            item["extra_content"] = {"google": {"thought_signature": signature}}
        return item

    def _choice(self) -> tuple[_Choice, int, int]:
        plan = self.plan
        req = self.req
        if plan.blocked:
            return _Choice(None, None, [], plan.finish_reason or "content_filter", None), 0, 0
        reasoning = reasoning_tokens(req, self.prompt)
        if plan.thought:
            reasoning = max(reasoning, count_tokens(plan.thought))
            budget = req.thinking.budget
            if budget is not None and budget > 0:
                reasoning = min(reasoning, budget)  # §5: the budget caps thinking tokens.
        if plan.reasoning_tokens is not None:
            reasoning = plan.reasoning_tokens
        answer = plan.content
        finish = "stop"
        calls = plan.tool_calls
        image = None
        if req.model.image_output:
            # §1: image models answer with an image (scripted text is kept beside it).
            image = IMAGE_PNG_B64
            answer = answer if plan.scripted else None
        if not plan.scripted:
            if answer is not None:
                for stop in req.stop:
                    cut = answer.find(stop) if stop else -1
                    if cut >= 0:
                        answer = answer[:cut]
            if req.max_tokens is not None:
                # Thinking tokens count against max_tokens (max_output_tokens), as the
                # recorded "length" answers with total >> prompt + completion show (§5).
                reasoning = min(reasoning, req.max_tokens)
                left = req.max_tokens - reasoning
                if answer is not None and count_tokens(answer) > left:
                    answer = answer[: left * 4] or None
                    finish = "length"
                if calls and sum(count_tokens(c.arguments) + 1 for c in calls) > left:
                    calls = []
                    finish = "length"
        rendered = [self._tool_call(c, i == 0, len(calls)) for i, c in enumerate(calls)]
        if rendered and finish == "stop":
            recorded_stop = req.stream and self.settings.tool_stream_finish == "stop"
            finish = "stop" if recorded_stop else "tool_calls"
        text_signature = None
        if req.model.is_gemini3 and reasoning > 0 and not rendered and (answer or image):
            # §6: Gemini 3 signs the last part only if it thought; 2.5 signs no part.
            text_signature = self.signatures.issue(0)
        used = count_tokens(answer) + sum(count_tokens(c.arguments) + 1 for c in calls)
        if image is not None:
            used += IMAGE_TOKENS
        choice = _Choice(
            answer, plan.thought, rendered, plan.finish_reason or finish, text_signature, image
        )
        return choice, used, reasoning

    @property
    def _reasoning_field(self) -> bool:
        return self.partner and self.settings.partner_reasoning_style == "reasoning_content"

    @property
    def _image_in_message(self) -> bool:
        return self.settings.image_style == "audio"

    def _attach_image(self, target: dict[str, Any], data: str) -> None:
        if self._image_in_message:
            target["audio"] = {
                "data": data,
                "extra_content": {"google": {"mime_type": "image/png"}},
            }
        else:
            target["image"] = {"data": data, "mime_type": "image/png"}

    def _thought_tags(self) -> tuple[str, str]:
        """The text before and after a thought written into ``content``."""
        if self.partner:
            # §12: DeepSeek-style inline reasoning ends with </think>.
            style = self.settings.partner_reasoning_style
            return ("<think>" if style == "think_tags" else "", "</think>")
        marker = self.req.thinking.tag_marker
        return (f"<{marker}>", f"</{marker}>") if marker else ("", "")

    def _tagged_thought(self, thought: str) -> str:
        opening, closing = self._thought_tags()
        return f"{opening}{thought}{closing}"

    def completion(self) -> dict[str, Any]:
        """The non-streaming ``chat.completion`` body.

        A blocked prompt (``plan.prompt_blocked``) gets HTTP 200 with ``"choices": []`` and
        the usage (prompt tokens only). Emulator choice: the fact sheet does not document this case;
        Vertex's native API answers no candidates with ``promptFeedback.blockReason``, and
        public reports of Gemini behind OpenAI-compatible layers describe an empty
        ``choices`` list for ``PROHIBITED_CONTENT`` (affaan-m/ECC #1976,
        aliasrobotics/cai #436), rather than a 400.

        Returns:
            The body.
        """
        choices = []
        for index, choice in enumerate(self.choices):
            message: dict[str, Any] = {"role": "assistant"}
            entry: dict[str, Any] = {
                "finish_reason": choice.finish,
                "index": index,
                "logprobs": None,
                "message": message,
            }
            text = ""
            if choice.thought:
                if self._reasoning_field:
                    message["reasoning_content"] = choice.thought
                else:
                    text += self._tagged_thought(choice.thought)
            if choice.answer:
                text += choice.answer
            if text:
                message["content"] = text
            if choice.image is not None:
                message.setdefault("content", None)
                self._attach_image(message if self._image_in_message else entry, choice.image)
            if choice.calls:
                message["tool_calls"] = choice.calls
            if choice.text_signature:
                message["extra_content"] = {"google": {"thought_signature": choice.text_signature}}
            if self.plan.message_extra_content:
                message.setdefault("extra_content", {})
                _merge(message["extra_content"], self.plan.message_extra_content)
            choices.append(entry)
        return {
            "choices": choices,
            "created": self.created,
            "id": self.id,
            "model": self.req.model.model,
            "object": "chat.completion",
            "system_fingerprint": "",
            "usage": self.usage,
        }

    def _envelope(self, choice: dict[str, Any]) -> dict[str, Any]:
        return {
            "choices": [choice],
            "created": self.created,
            "id": self.id,
            "model": self.req.model.model,
            "object": "chat.completion.chunk",
            "system_fingerprint": "",
        }

    def chunks(self) -> list[dict[str, Any]]:
        """The streaming ``chat.completion.chunk`` objects (without ``[DONE]``).

        Returns:
            The chunks in order; the last one carries the usage.
        """
        if self.plan.prompt_blocked:
            # One chunk with no choices and the usage, then [DONE] (see ``completion``).
            chunk = self._envelope({})
            chunk["choices"] = []
            chunk["usage"] = self.usage
            return [chunk]
        chunks: list[dict[str, Any]] = []
        for index, choice in enumerate(self.choices):
            deltas = self._deltas(choice)
            for pos, delta in enumerate(deltas):
                entry: dict[str, Any] = {"delta": delta, "index": index, "logprobs": None}
                if pos == len(deltas) - 1:
                    entry["finish_reason"] = choice.finish
                    if choice.image is not None and not self._image_in_message:
                        self._attach_image(entry, choice.image)
                chunks.append(self._envelope(entry))
        chunks[-1]["usage"] = self.usage
        return chunks

    def _deltas(self, choice: _Choice) -> list[dict[str, Any]]:
        deltas: list[dict[str, Any]] = []
        answer = split_text(choice.answer, 4) if choice.answer else []
        if choice.thought:
            deltas.extend(self._thought_deltas(choice.thought, answer))
        deltas.extend({"content": p, "role": "assistant"} for p in answer)
        if choice.image is not None and self._image_in_message:
            deltas.append({"content": None, "role": "assistant"})
            self._attach_image(deltas[-1], choice.image)
        if choice.calls:
            if self.req.stream_function_call_arguments and self.req.model.is_gemini3:
                deltas.extend(self._fragments(choice.calls))
            else:
                deltas.append({"role": "assistant", "tool_calls": choice.calls})
            if self.req.model.is_gemini3 and self.settings.tool_stream_finish == "stop":
                deltas.append({"content": "", "role": "assistant"})
        if not deltas:
            deltas.append({"role": "assistant"})
        if choice.text_signature:
            deltas[-1]["extra_content"] = {"google": {"thought_signature": choice.text_signature}}
        extra = self.plan.message_extra_content
        if extra:
            deltas[-1].setdefault("extra_content", {})
            _merge(deltas[-1]["extra_content"], extra)
        return deltas

    def _thought_deltas(self, thought: str, answer: list[str]) -> list[dict[str, Any]]:
        """Thought deltas; may move the start of the closing tag into ``answer[0]``."""
        pieces = split_text(thought, 2)
        if self._reasoning_field:
            return [{"reasoning_content": p, "role": "assistant"} for p in pieces]
        opening, closing = self._thought_tags()
        pieces[0] = opening + pieces[0]
        if closing and answer and self.partner:
            # A tag split across chunks, as tokenisers split it ("</th" + "ink>").
            pieces[-1] += closing[:4]
            answer[0] = closing[4:] + answer[0]
        elif closing and answer:
            answer[0] = closing + answer[0]  # recorded: at the start of the first answer chunk
        else:
            pieces[-1] += closing
        if self.partner:
            return [{"content": p, "role": "assistant"} for p in pieces]
        thought_mark = {"google": {"thought": True}}
        return [{"content": p, "extra_content": thought_mark, "role": "assistant"} for p in pieces]

    @staticmethod
    def _fragments(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """§7 ``stream_function_call_arguments``: argument fragments repeating name and id.

        As in Google's example, the first fragment of each call carries the other call's
        ``index`` and later fragments the expected one.
        """
        deltas: list[dict[str, Any]] = []
        count = len(calls)
        for position, call in enumerate(calls):
            arguments = call["function"]["arguments"]
            half = max(1, len(arguments) // 2)
            for part, text in enumerate((arguments[:half], arguments[half:])):
                fragment: dict[str, Any] = {
                    "function": {"arguments": text, "name": call["function"]["name"]},
                    "id": call["id"],
                    "index": (count - 1 - position) if part == 0 else position,
                    "type": "function",
                }
                if part == 0 and "extra_content" in call:
                    fragment["extra_content"] = call["extra_content"]
                deltas.append({"role": "assistant", "tool_calls": [fragment]})
        return deltas


def split_text(text: str, pieces: int) -> list[str]:
    """Split text into up to ``pieces`` chunks at word boundaries (joins back exactly).

    Args:
        text: The text.
        pieces: Maximum number of pieces.

    Returns:
        Non-empty pieces whose concatenation is ``text``.
    """
    words = text.split(" ")
    if len(words) < 2 or pieces < 2:
        return [text]
    count = min(pieces, len(words))
    size = math.ceil(len(words) / count)
    out = []
    for i in range(0, len(words), size):
        chunk = " ".join(words[i : i + size])
        out.append(chunk if i + size >= len(words) else chunk + " ")
    return [p for p in out if p] or [text]


def sse_event(payload: str | dict[str, Any]) -> bytes:
    """One SSE event: ``data: <payload>`` and a blank line.

    Args:
        payload: A dict (JSON-encoded compactly with sorted keys) or raw data text. Text
            that already starts with an SSE field (``data:``, ``event:``, ``id:``,
            ``retry:``) or a comment (``:``) is sent verbatim.

    Returns:
        The encoded event.
    """
    if isinstance(payload, dict):
        text = "data: " + dumps(payload)
    elif payload.startswith(("data:", "event:", "id:", "retry:", ":")):
        text = payload.rstrip("\n")
    else:
        text = "data: " + payload
    return (text + "\n\n").encode()
