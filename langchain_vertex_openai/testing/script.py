"""Scripted answers and faults queued by tests (consumed FIFO by the next chat requests)."""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_vertex_openai.testing.brain import Plan, PlannedCall
from langchain_vertex_openai.testing.errors import VertexError
from langchain_vertex_openai.testing.request import ChatRequest


class Responder(Protocol):
    """What a scripted item answers through (``handling.Exchange``)."""

    def request(self) -> ChatRequest:
        """The validated request (raises the refusal Vertex would answer with)."""

    def answer(self, plan: Plan | None = None, *, drop_after: int | None = None) -> None:
        """Answer with ``plan`` (the brain's when None), rendered in Vertex's format."""

    def send_raw(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        """Answer with exactly these bytes."""

    def send_sse(self, status: int, events: list[str | dict[str, Any]], *, done: bool) -> None:
        """Answer with exactly these SSE events."""

    def send_error(self, error: VertexError) -> None:
        """Answer with a Vertex-shaped error."""

    def drop(self) -> None:
        """Close the connection without answering."""


class ScriptedItem(ABC):
    """A queued answer or fault; it knows how to answer the request it is taken for."""

    @abstractmethod
    def respond(self, exchange: Responder) -> None:
        """Answer the request of ``exchange``.

        Args:
            exchange: The request being answered.
        """

    @abstractmethod
    def describe(self) -> str:
        """A short description for the "queued but never used" report."""


@dataclass
class ReplyItem(ScriptedItem):
    """Answer with this plan, rendered like a brain answer (the request is validated)."""

    plan: Plan

    def respond(self, exchange: Responder) -> None:
        """See :meth:`ScriptedItem.respond`."""
        exchange.answer(self.plan)

    def describe(self) -> str:
        """See :meth:`ScriptedItem.describe`."""
        calls = ", ".join(call.name for call in self.plan.tool_calls)
        text = (self.plan.content or "")[:40]
        return f"queue_reply({text!r}" + (f", tool_calls=[{calls}])" if calls else ")")


@dataclass
class RawSseItem(ScriptedItem):
    """Answer with exactly these SSE events (the request is not looked at)."""

    events: list[str | dict[str, Any]]
    done: bool
    status: int

    def respond(self, exchange: Responder) -> None:
        """See :meth:`ScriptedItem.respond`."""
        exchange.send_sse(self.status, self.events, done=self.done)

    def describe(self) -> str:
        """See :meth:`ScriptedItem.describe`."""
        return f"queue_raw_sse({len(self.events)} events, status={self.status})"


@dataclass
class RawItem(ScriptedItem):
    """Answer with exactly this status, body and content type (the request is not looked at)."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]

    def respond(self, exchange: Responder) -> None:
        """See :meth:`ScriptedItem.respond`."""
        exchange.send_raw(self.status, self.body, self.content_type, self.headers)

    def describe(self) -> str:
        """See :meth:`ScriptedItem.describe`."""
        return f"queue_raw({self.status}, {self.body[:40]!r})"


@dataclass
class ErrorItem(ScriptedItem):
    """Answer with a Vertex-shaped error (the request is not looked at)."""

    error: VertexError

    def respond(self, exchange: Responder) -> None:
        """See :meth:`ScriptedItem.respond`."""
        exchange.send_error(self.error)

    def describe(self) -> str:
        """See :meth:`ScriptedItem.describe`."""
        return f"queue_error({self.error.status}, {self.error.message[:40]!r})"


@dataclass
class DisconnectItem(ScriptedItem):
    """Drop the connection (after ``after_chunks`` SSE events when streaming).

    The request is validated first: a refused request gets its error, not a drop.
    """

    after_chunks: int

    def respond(self, exchange: Responder) -> None:
        """See :meth:`ScriptedItem.respond`."""
        if exchange.request().stream:
            exchange.answer(drop_after=self.after_chunks)
        else:
            exchange.drop()

    def describe(self) -> str:
        """See :meth:`ScriptedItem.describe`."""
        return f"queue_disconnect(after_chunks={self.after_chunks})"


def plan_from_reply(
    content: str | None,
    *,
    tool_calls: list[dict[str, Any]] | None,
    finish_reason: str | None,
    usage: dict[str, Any] | None,
    reasoning_tokens: int | None,
    message_extra_content: dict[str, Any] | None,
) -> Plan:
    """Build the plan of a ``queue_reply`` call.

    Args:
        content: Answer text.
        tool_calls: ``{"name", "arguments" (dict or raw str), "id"?, "thought_signature"?}``
            items; a ``thought_signature`` key (even None) disables the automatic signature.
        finish_reason: Explicit finish reason.
        usage: Explicit usage object.
        reasoning_tokens: Explicit reasoning token count.
        message_extra_content: Merged into the message's ``extra_content``.

    Returns:
        The plan.

    Raises:
        ValueError: If a tool call has no name.
    """
    calls: list[PlannedCall] = []
    for item in tool_calls or []:
        name = item.get("name")
        if not isinstance(name, str):
            raise ValueError(f"tool call without a name: {item!r}")
        arguments = item.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, separators=(",", ":"), sort_keys=True)
        call = PlannedCall(name, arguments, id=item.get("id"))
        if "thought_signature" in item:
            call.auto_signature = False
            call.signature = item["thought_signature"]
        calls.append(call)
    return Plan(
        content=content,
        tool_calls=calls,
        scripted=True,
        finish_reason=finish_reason,
        usage=usage,
        reasoning_tokens=reasoning_tokens,
        message_extra_content=message_extra_content,
    )


class Script:
    """Thread-safe queues: answers/faults, delays, token-endpoint faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: deque[list[Any]] = deque()
        self._delays: deque[list[Any]] = deque()
        self._token_faults: deque[list[Any]] = deque()

    def push(self, item: ScriptedItem, times: int = 1) -> None:
        """Queue an answer or fault for the next ``times`` chat requests.

        Args:
            item: The scripted item.
            times: How many requests it answers.
        """
        if times >= 1:
            with self._lock:
                self._items.append([item, times])

    def push_delay(self, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` chat requests by ``seconds``.

        Args:
            seconds: The delay.
            times: How many requests.
        """
        if times >= 1:
            with self._lock:
                self._delays.append([seconds, times])

    def push_token_fault(self, status: int, times: int = 1) -> None:
        """Fail the next ``times`` token requests with ``status``.

        Args:
            status: HTTP status.
            times: How many requests.
        """
        if times >= 1:
            with self._lock:
                self._token_faults.append([status, times])

    @staticmethod
    def _take(queue: deque[list[Any]]) -> Any:
        if not queue:
            return None
        head = queue[0]
        head[1] -= 1
        if head[1] <= 0:
            queue.popleft()
        return head[0]

    def take(self) -> tuple[ScriptedItem | None, float]:
        """Take the next scripted item and delay for an arriving chat request.

        Returns:
            ``(item or None, delay seconds)``.
        """
        with self._lock:
            item = self._take(self._items)
            delay = self._take(self._delays)
        return item, float(delay or 0.0)

    def take_token_fault(self) -> int | None:
        """Take the next token-endpoint fault.

        Returns:
            The status to fail with, or None.
        """
        with self._lock:
            status = self._take(self._token_faults)
        return int(status) if status is not None else None

    @property
    def pending(self) -> int:
        """How many chat requests the queued items still answer."""
        with self._lock:
            return sum(times for _, times in self._items)

    def unconsumed(self) -> list[str]:
        """What is still queued, described (answers, delays, token faults)."""
        with self._lock:
            left = [f"{item.describe()} x{times}" for item, times in self._items]
            left += [f"queue_delay({seconds}) x{times}" for seconds, times in self._delays]
            left += [
                f"fail_token_requests(status={status}) x{times}"
                for status, times in self._token_faults
            ]
        return left

    def clear(self) -> None:
        """Drop everything queued."""
        with self._lock:
            self._items.clear()
            self._delays.clear()
            self._token_faults.clear()
