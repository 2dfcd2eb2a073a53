"""Rendering a :class:`~.brain.Plan` in Vertex's wire format (``docs/vertex-facts.md`` §5, §6, §7).

Non-streaming: one ``chat.completion`` object. Streaming: ``chat.completion.chunk`` objects,
``role: "assistant"`` in every delta, no ``finish_reason`` key on intermediate chunks, the last
content piece + ``finish_reason`` + usage together on the final chunk (no usage-only chunk).

Tool-call turns: ``finish_reason`` is ``"tool_calls"`` when not streaming and ``"stop"`` when
streaming (both were recorded, §7; the emulator picks the variant that breaks clients which
decide from ``finish_reason`` instead of from the presence of tool calls). Each call comes
whole in one delta without ``index``; Gemini 3 models send a separate trailing chunk with
empty content and ``stop`` (§7 "newer models").
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
    """

    id_style: IdStyle = "function_name"
    usage_style: UsageStyle = "vertex"


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


class Renderer:
    """Renders one plan for one request (ids, signatures and usage computed once)."""

    def __init__(
        self, req: ChatRequest, plan: Plan, settings: Settings, signatures: SignatureBook
    ) -> None:
        self.req = req
        self.plan = plan
        self.settings = settings
        self.signatures = signatures
        self.id = new_response_id()
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
            finish = "stop" if req.stream else "tool_calls"
        text_signature = None
        if req.model.is_gemini and not rendered and answer:
            text_signature = self.signatures.issue(0)
        used = count_tokens(answer) + sum(count_tokens(c.arguments) + 1 for c in calls)
        return (
            _Choice(answer, plan.thought, rendered, plan.finish_reason or finish, text_signature),
            used,
            reasoning,
        )

    def _tagged_thought(self, thought: str) -> str:
        marker = self.req.thinking.tag_marker
        return f"<{marker}>{thought}</{marker}>" if marker else thought

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
            text = ""
            if choice.thought:
                text += self._tagged_thought(choice.thought)
            if choice.answer:
                text += choice.answer
            if text:
                message["content"] = text
            if choice.calls:
                message["tool_calls"] = choice.calls
            if choice.text_signature:
                message["extra_content"] = {"google": {"thought_signature": choice.text_signature}}
            if self.plan.message_extra_content:
                message.setdefault("extra_content", {})
                _merge(message["extra_content"], self.plan.message_extra_content)
            choices.append(
                {
                    "finish_reason": choice.finish,
                    "index": index,
                    "logprobs": None,
                    "message": message,
                }
            )
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
        chunk = {
            "choices": [choice],
            "created": self.created,
            "id": self.id,
            "model": self.req.model.model,
            "object": "chat.completion.chunk",
        }
        if self.req.model.family == "partner":
            # §7: Vertex MaaS stream chunks were recorded without ``id`` and ``created``.
            del chunk["id"], chunk["created"]
        return chunk

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
                entry: dict[str, Any] = {"delta": delta, "index": index}
                if pos == len(deltas) - 1:
                    entry["finish_reason"] = choice.finish
                chunks.append(self._envelope(entry))
        chunks[-1]["usage"] = self.usage
        return chunks

    def _deltas(self, choice: _Choice) -> list[dict[str, Any]]:
        deltas: list[dict[str, Any]] = []
        marker = self.req.thinking.tag_marker
        if choice.thought:
            pieces = split_text(choice.thought, 2)
            if marker:
                pieces[0] = f"<{marker}>{pieces[0]}"
                if not choice.answer:
                    pieces[-1] += f"</{marker}>"
            for piece in pieces:
                deltas.append(
                    {
                        "content": piece,
                        "extra_content": {"google": {"thought": True}},
                        "role": "assistant",
                    }
                )
        if choice.answer:
            pieces = split_text(choice.answer, 4)
            if choice.thought and marker:
                pieces[0] = f"</{marker}>{pieces[0]}"
            deltas.extend({"content": p, "role": "assistant"} for p in pieces)
        if choice.calls:
            if self.req.stream_function_call_arguments and self.req.model.is_gemini3:
                deltas.extend(self._fragments(choice.calls))
            else:
                deltas.append({"role": "assistant", "tool_calls": choice.calls})
            if self.req.model.is_gemini3:
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
