"""The emulator's public facade: :class:`VertexEmulator` (lifecycle, scripting, recorded requests).

Request handling (routing, auth, scripted answers, validation, rendering) lives in
``handling.py``; the HTTP layer in ``transport.py``. Section numbers refer to
``docs/vertex-facts.md``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_vertex_openai.testing import errors as err
from langchain_vertex_openai.testing.errors import VertexError
from langchain_vertex_openai.testing.handling import HandlerBug, Router
from langchain_vertex_openai.testing.script import (
    DisconnectItem,
    ErrorItem,
    RawItem,
    RawSseItem,
    ReplyItem,
    ScriptedItem,
    plan_from_reply,
)
from langchain_vertex_openai.testing.state import RecordedHeaders, hide_query_secrets
from langchain_vertex_openai.testing.transport import EmulatorHandler, EmulatorHTTPServer
from langchain_vertex_openai.testing.wire import (
    IdStyle,
    ImageStyle,
    PartnerReasoningStyle,
    Settings,
    ToolStreamFinish,
    UsageStyle,
    dumps,
)

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

    from langchain_vertex_openai.testing.credentials import EmulatorCredentials


@dataclass(frozen=True)
class RecordedRequest:
    """A request the emulator received on its API surface (``/token`` excluded).

    Attributes:
        method: HTTP method.
        path: Request path including the query string.
        headers: Headers with lower-case names.
        body: The parsed JSON body, or None if it was not JSON.
        raw: The raw body bytes.
    """

    method: str
    path: str
    headers: RecordedHeaders
    body: Any
    raw: bytes

    def __repr__(self) -> str:
        # Failing tests print recorded requests: show them without their credentials.
        path = hide_query_secrets(self.path)
        return (
            f"RecordedRequest(method={self.method!r}, path={path!r}, headers={self.headers!r}, "
            f"body={self.body!r}, raw=<{len(self.raw)} bytes>)"
        )


class VertexEmulator:
    """A local HTTP server that behaves like Vertex AI's ``endpoints/openapi`` (see notes).

    Args:
        strict: Reject request fields Vertex silently ignores (see ``rules.py``).
        project: The project the emulator serves.
        location: The location the emulator serves (``global`` by default, §1).
        host: Interface to bind (loopback by default).
        port: Port to bind; 0 picks a free port.
        token_lifetime: Lifetime in seconds of issued tokens.
        tool_call_id_style: ``function_name`` (Vertex samples), ``empty`` or ``numeric`` (§7).
        usage_style: ``vertex`` (reasoning in details) or ``gemini_api`` (hidden, §5).
        image_style: Where image models put their image (§7, the two documented shapes):
            ``audio`` (``message.audio`` with ``extra_content.google.mime_type``) or
            ``choice_image`` (``choices[i].image``).
        partner_reasoning_style: How DeepSeek-style partner models write their reasoning
            (§12): ``closing_tag`` (inline, ended by ``</think>``), ``think_tags``
            (``<think>…</think>`` inline) or ``reasoning_content`` (a separate field).
        tool_stream_finish: The ``finish_reason`` of a streamed tool turn (§7):
            ``tool_calls`` (Google's example) or ``stop`` (third-party recordings; Gemini 3
            then also sends a trailing empty chunk).
        safety_trigger: Text in the last user message that blocks the answer
            (``finish_reason: "content_filter"``, no content); ``safety_settings`` with
            ``HARM_CATEGORY_DANGEROUS_CONTENT`` at ``BLOCK_NONE``/``OFF`` lift it. None: never.
        safety_prompt_trigger: Text in the last user message that blocks the prompt itself:
            HTTP 200 with an empty ``choices`` list (see ``wire.py``); settings cannot lift
            it. Checked first (the default contains ``safety_trigger``). None: never.
        verbose: Log each request to stderr.

    Attributes:
        expect_all_consumed: Whether :meth:`verify` (called by the pytest fixtures at
            teardown) fails when queued items were never used. Set it to False in a test
            that queues more than it uses on purpose.
    """

    def __init__(
        self,
        *,
        strict: bool = False,
        project: str = "emulator-project",
        location: str = "global",
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime: float = 3600.0,
        tool_call_id_style: IdStyle = "function_name",
        usage_style: UsageStyle = "vertex",
        image_style: ImageStyle = "audio",
        partner_reasoning_style: PartnerReasoningStyle = "closing_tag",
        tool_stream_finish: ToolStreamFinish = "tool_calls",
        safety_trigger: str | None = "EMULATOR_BLOCK",
        safety_prompt_trigger: str | None = "EMULATOR_BLOCK_PROMPT",
        verbose: bool = False,
    ) -> None:
        self.strict = strict
        self.project = project
        self.location = location
        self.host = host
        self.token_lifetime = token_lifetime
        self.safety_trigger = safety_trigger
        self.safety_prompt_trigger = safety_prompt_trigger
        self.verbose = verbose
        self.settings = Settings(
            id_style=tool_call_id_style,
            usage_style=usage_style,
            image_style=image_style,
            partner_reasoning_style=partner_reasoning_style,
            tool_stream_finish=tool_stream_finish,
        )
        self._requested_port = port
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.expect_all_consumed = True
        self._router = Router(self)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a background thread.

        Returns:
            The emulator itself.

        Raises:
            RuntimeError: If it is already running.
        """
        if self._server is not None:
            raise RuntimeError("VertexEmulator is already running")
        self._router.stopping.clear()
        self._server = EmulatorHTTPServer((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # fast stop() between tests
            name=f"vertex-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close open connections (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._router.stopping.set()
        server.shutdown()
        server.close_open_sockets()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The bound port (the requested one until started).

        Raises:
            RuntimeError: If not started and the requested port is 0.
        """
        if self._server is not None:
            return int(self._server.server_address[1])
        if self._requested_port == 0:
            raise RuntimeError("VertexEmulator is not started; the port is not chosen yet")
        return self._requested_port

    @property
    def root_url(self) -> str:
        """``http://{host}:{port}``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI SDK base URL: ``.../v1/projects/{p}/locations/{l}/endpoints/openapi``."""
        return (
            f"{self.root_url}/v1/projects/{self.project}/locations/{self.location}"
            "/endpoints/openapi"
        )

    @property
    def token_url(self) -> str:
        """The emulator-only token endpoint: ``{root_url}/token``."""
        return f"{self.root_url}/token"

    # -- auth ------------------------------------------------------------------------------

    def credentials(self, quota_project_id: str | None = None) -> EmulatorCredentials:
        """google-auth credentials that refresh from this emulator's token endpoint.

        Args:
            quota_project_id: Optional quota project (``x-goog-user-project``).

        Returns:
            Unrefreshed :class:`EmulatorCredentials`.
        """
        from langchain_vertex_openai.testing.credentials import EmulatorCredentials

        return EmulatorCredentials(self.token_url, quota_project_id=quota_project_id)

    def issue_token(self, lifetime: float | None = None) -> str:
        """Issue a valid token directly (not counted in :attr:`tokens_issued`).

        Args:
            lifetime: Seconds until expiry (default: ``token_lifetime``).

        Returns:
            The token.
        """
        return self._router.tokens.issue(
            self.token_lifetime if lifetime is None else lifetime, via_endpoint=False
        )

    @property
    def tokens_issued(self) -> int:
        """How many tokens the token endpoint issued."""
        return self._router.tokens.issued_by_endpoint

    def expire_all_tokens(self) -> None:
        """Make every issued token expired (401 on next use)."""
        self._router.tokens.expire_all()

    def fail_token_requests(self, times: int = 1, status: int = 500) -> None:
        """Make the next ``times`` token requests fail with ``status``.

        Args:
            times: How many token requests fail.
            status: HTTP status of the failure.
        """
        self._router.script.push_token_fault(status, times)

    def signature_issued(self, signature: str) -> bool:
        """Whether this emulator issued ``signature`` (or a script registered it).

        Args:
            signature: A thought signature.

        Returns:
            True if issued.
        """
        return self._router.signatures.calls(signature) is not None

    # -- recorded requests -----------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received on the API surface, oldest first (a copy)."""
        return self._router.recorded()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Recorded requests to a ``chat/completions`` route."""
        return [r for r in self.requests if r.path.split("?")[0].endswith("/chat/completions")]

    @property
    def last_request(self) -> RecordedRequest | None:
        """The most recent recorded request, or None."""
        requests = self._router.recorded()
        return requests[-1] if requests else None

    def reset(self) -> None:
        """Clear queued items, faults and recorded requests (tokens are kept)."""
        self._router.script.clear()
        self._router.clear_recorded()

    @property
    def pending(self) -> int:
        """How many chat requests the queued items (not delays) still answer."""
        return self._router.script.pending

    # -- scripting -------------------------------------------------------------------------

    def queue_reply(
        self,
        content: str | None = None,
        *,
        tool_calls: list[dict[str, Any]] | None = None,
        finish_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        reasoning_tokens: int | None = None,
        message_extra_content: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next chat request with this reply, in Vertex's wire format.

        The request is still validated. Streamed or not according to the request.

        Args:
            content: Answer text.
            tool_calls: ``{"name", "arguments" (dict or raw str), "id"?,
                "thought_signature"?}`` items. Without ``thought_signature`` the first call
                gets a fresh signature on Gemini models; given ones are registered as issued.
            finish_reason: Explicit finish reason.
            usage: Explicit usage object (verbatim).
            reasoning_tokens: Explicit reasoning token count.
            message_extra_content: Merged into the message's (or final delta's)
                ``extra_content``.
        """
        plan = plan_from_reply(
            content,
            tool_calls=tool_calls,
            finish_reason=finish_reason,
            usage=usage,
            reasoning_tokens=reasoning_tokens,
            message_extra_content=message_extra_content,
        )
        self._router.script.push(ReplyItem(plan))

    def queue_raw_sse(
        self, events: list[str | dict[str, Any]], *, done: bool = True, status: int = 200
    ) -> None:
        """Answer the next chat request with exactly these SSE events.

        Args:
            events: Dicts (JSON-encoded compactly, sorted keys) or data strings.
            done: Append ``data: [DONE]``.
            status: HTTP status.
        """
        self._router.script.push(RawSseItem(list(events), done, status))

    def queue_raw(
        self,
        status: int,
        body: bytes | str | dict[str, Any] | list[Any],
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next chat request with exactly this response.

        Args:
            status: HTTP status.
            body: Body bytes/text, or a JSON value (encoded compactly, sorted keys).
            content_type: Content-Type header.
            headers: Extra headers.
        """
        if isinstance(body, (dict, list)):
            data = dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        self._router.script.push(RawItem(status, data, content_type, dict(headers or {})))

    def queue_error(
        self,
        status: int,
        message: str | None = None,
        *,
        google_status: str | None = None,
        shape: err.ErrorShape = "object",
        retry_after: float | None = None,
        details: list[Any] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` chat requests with a Vertex-shaped error (§10).

        Args:
            status: HTTP status.
            message: Message (default: the usual one for the status).
            google_status: ``error.status`` (default from the status).
            shape: ``object`` (Vertex) or ``list`` (Gemini API).
            retry_after: Seconds for a ``Retry-After`` header and a ``RetryInfo`` detail.
            details: ``error.details``.
            times: How many requests get it.
        """
        headers: dict[str, str] = {}
        if retry_after is not None:
            seconds = int(retry_after) if float(retry_after).is_integer() else retry_after
            headers["Retry-After"] = str(seconds)
            if details is None:
                details = [
                    {
                        "@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": f"{seconds}s",
                    }
                ]
        error = VertexError(status, message, google_status, details, shape=shape, headers=headers)
        self._router.script.push(ErrorItem(error), times)

    def queue_delay(self, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` chat requests (their answers are decided on arrival).

        Args:
            seconds: Delay before answering.
            times: How many requests.
        """
        self._router.script.push_delay(seconds, times)

    def queue(self, item: ScriptedItem, times: int = 1) -> None:
        """Answer the next ``times`` chat requests with a scripted item of your own.

        The ``queue_*`` methods build the usual items; a subclass of
        :class:`~langchain_vertex_openai.testing.script.ScriptedItem` answers through the
        ``Responder`` it is given (validate the request, render a plan, send raw bytes,
        SSE events or an error, or drop the connection).

        Args:
            item: The item.
            times: How many requests it answers.
        """
        self._router.script.push(item, times)

    def queue_disconnect(self, after_chunks: int = 1, times: int = 1) -> None:
        """Drop the connection of the next ``times`` chat requests.

        Streaming: after ``after_chunks`` SSE events, without finishing the chunked body.
        Non-streaming: without answering.

        Args:
            after_chunks: SSE events sent before dropping.
            times: How many requests.
        """
        self._router.script.push(DisconnectItem(after_chunks), times)

    # -- checks at the end of a test ------------------------------------------------------

    def handle_http(self, handler: EmulatorHandler) -> None:
        """Answer one HTTP request (called by the server's handler threads).

        Args:
            handler: The request handler.
        """
        self._router.handle_http(handler)

    def report_bug(self, error: BaseException, request: str) -> str:
        """Remember an exception raised inside the emulator (re-raised by :meth:`verify`).

        Args:
            error: The exception.
            request: ``"METHOD path"`` of the request being answered.

        Returns:
            The formatted traceback, for the 500 answer.
        """
        return self._router.report_bug(error, request).formatted

    @property
    def unconsumed(self) -> list[str]:
        """Queued answers, faults and delays no request has used yet, described."""
        return self._router.script.unconsumed()

    def verify(self, *, all_consumed: bool | None = None) -> None:
        """Raise what a test must know at its end (the pytest fixtures call this).

        First a bug inside the emulator (an exception raised while answering, which the
        client saw as a 500 carrying the traceback) is re-raised; then, if
        ``all_consumed``, queued items that no request used fail the check.

        Args:
            all_consumed: Whether unused queued items are an error (default:
                :attr:`expect_all_consumed`).

        Raises:
            AssertionError: If queued items were never used.
        """
        bugs = self._router.take_bugs()
        if bugs:
            raise _bug_error(bugs)
        if all_consumed is None:
            all_consumed = self.expect_all_consumed
        left = self.unconsumed
        if all_consumed and left:
            raise AssertionError(
                "The test queued emulator answers that no request used: "
                + "; ".join(left)
                + ". Remove them, or opt out with `emulator.expect_all_consumed = False` or "
                "@pytest.mark.vertex_emulator_unconsumed_ok."
            )


def _bug_error(bugs: list[HandlerBug]) -> BaseException:
    first = bugs[0].error
    note = f"Raised inside the Vertex emulator while answering {bugs[0].request}"
    if len(bugs) > 1:
        others = "; ".join(f"{b.request}: {b.error!r}" for b in bugs[1:])
        note += f" ({len(bugs) - 1} more: {others})"
    if hasattr(first, "add_note"):
        first.add_note(note)
    return first
