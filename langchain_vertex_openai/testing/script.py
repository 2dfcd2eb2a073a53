"""Scripted answers and faults queued by tests (consumed FIFO by the next chat requests)."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from langchain_vertex_openai.testing.brain import Plan, PlannedCall
from langchain_vertex_openai.testing.errors import VertexError


@dataclass
class ReplyItem:
    """Answer with this plan, rendered like a brain answer."""

    plan: Plan


@dataclass
class RawSseItem:
    """Answer with exactly these SSE events."""

    events: list[str | dict[str, Any]]
    done: bool
    status: int


@dataclass
class RawItem:
    """Answer with exactly this status, body and content type."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]


@dataclass
class ErrorItem:
    """Answer with a Vertex-shaped error."""

    error: VertexError


@dataclass
class DisconnectItem:
    """Drop the connection (after ``after_chunks`` SSE events when streaming)."""

    after_chunks: int


Item = ReplyItem | RawSseItem | RawItem | ErrorItem | DisconnectItem


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

    def push(self, item: Item, times: int = 1) -> None:
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

    def take(self) -> tuple[Item | None, float]:
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

    def clear(self) -> None:
        """Drop everything queued."""
        with self._lock:
            self._items.clear()
            self._delays.clear()
            self._token_faults.clear()
