"""The emulator's HTTP server: routing, auth, scripting, and the :class:`VertexEmulator` API.

Request handling order (each step may answer and stop):

1. ``POST /token`` (emulator-only path): issue a token, or a scripted token fault.
2. Routing (§1): ``POST /v1|v1beta1/projects/{p}/locations/{l}/endpoints/{openapi|ID}/
   chat/completions``; anything else gets the Google front-end HTML 404.
3. The request is recorded (``emu.requests``), then auth (§2): an API key or a missing,
   unknown or expired bearer token -> 401 ``UNAUTHENTICATED``.
4. A project other than the emulator's -> 403 ``PERMISSION_DENIED`` (what IAM answers for a
   project the caller cannot use); another location -> 404 in the §1 "Publisher Model ...
   was not found" wording (emulator choice: each emulator serves one location, like a
   regional host).
5. Scripted items (``queue_*``) are taken; a delay is waited; errors/raw answers are sent
   without looking at the body.
6. Body parsing (A1), model resolution (A2), validation (``rules.py``), then the brain's or
   the scripted answer, rendered by ``wire.py``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_vertex_openai.testing import errors as err
from langchain_vertex_openai.testing.brain import plan_reply
from langchain_vertex_openai.testing.catalog import resolve_model, self_deployed_model
from langchain_vertex_openai.testing.count_tokens import COUNT_ROUTE, count_tokens_response
from langchain_vertex_openai.testing.errors import VertexError
from langchain_vertex_openai.testing.rules import validate_chat_request
from langchain_vertex_openai.testing.script import (
    DisconnectItem,
    ErrorItem,
    RawItem,
    RawSseItem,
    ReplyItem,
    Script,
    plan_from_reply,
)
from langchain_vertex_openai.testing.state import SignatureBook, TokenStore
from langchain_vertex_openai.testing.transport import EmulatorHandler, EmulatorHTTPServer
from langchain_vertex_openai.testing.wire import IdStyle, Renderer, Settings, UsageStyle, dumps
from langchain_vertex_openai.testing.wire import sse_event as _sse_event

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

    from langchain_vertex_openai.testing.credentials import EmulatorCredentials

_ROUTE = re.compile(
    r"^/(?P<version>v1|v1beta1)/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/endpoints/(?P<endpoint>openapi|\d+)/chat/completions$"
)


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
    headers: dict[str, str]
    body: Any
    raw: bytes


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
        safety_trigger: Text in the last user message that blocks the answer
            (``finish_reason: "content_filter"``, no content); ``safety_settings`` with
            ``HARM_CATEGORY_DANGEROUS_CONTENT`` at ``BLOCK_NONE``/``OFF`` lift it. None: never.
        safety_prompt_trigger: Text in the last user message that blocks the prompt itself:
            HTTP 200 with an empty ``choices`` list (see ``wire.py``); settings cannot lift
            it. Checked first (the default contains ``safety_trigger``). None: never.
        verbose: Log each request to stderr.
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
        self.settings = Settings(id_style=tool_call_id_style, usage_style=usage_style)
        self._requested_port = port
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._tokens = TokenStore()
        self._signatures = SignatureBook()
        self._script = Script()

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
        self._stopping.clear()
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
        self._stopping.set()
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
        return self._tokens.issue(
            self.token_lifetime if lifetime is None else lifetime, via_endpoint=False
        )

    @property
    def tokens_issued(self) -> int:
        """How many tokens the token endpoint issued."""
        return self._tokens.issued_by_endpoint

    def expire_all_tokens(self) -> None:
        """Make every issued token expired (401 on next use)."""
        self._tokens.expire_all()

    def fail_token_requests(self, times: int = 1, status: int = 500) -> None:
        """Make the next ``times`` token requests fail with ``status``.

        Args:
            times: How many token requests fail.
            status: HTTP status of the failure.
        """
        self._script.push_token_fault(status, times)

    def signature_issued(self, signature: str) -> bool:
        """Whether this emulator issued ``signature`` (or a script registered it).

        Args:
            signature: A thought signature.

        Returns:
            True if issued.
        """
        return self._signatures.calls(signature) is not None

    # -- recorded requests -----------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received on the API surface, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Recorded requests to a ``chat/completions`` route."""
        return [r for r in self.requests if r.path.split("?")[0].endswith("/chat/completions")]

    @property
    def last_request(self) -> RecordedRequest | None:
        """The most recent recorded request, or None."""
        with self._lock:
            return self._requests[-1] if self._requests else None

    def reset(self) -> None:
        """Clear queued items, faults and recorded requests (tokens are kept)."""
        self._script.clear()
        with self._lock:
            self._requests.clear()

    @property
    def pending(self) -> int:
        """How many chat requests the queued items (not delays) still answer."""
        return self._script.pending

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
        self._script.push(ReplyItem(plan))

    def queue_raw_sse(
        self, events: list[str | dict[str, Any]], *, done: bool = True, status: int = 200
    ) -> None:
        """Answer the next chat request with exactly these SSE events.

        Args:
            events: Dicts (JSON-encoded compactly, sorted keys) or data strings.
            done: Append ``data: [DONE]``.
            status: HTTP status.
        """
        self._script.push(RawSseItem(list(events), done, status))

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
        self._script.push(RawItem(status, data, content_type, dict(headers or {})))

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
        self._script.push(ErrorItem(error), times)

    def queue_delay(self, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` chat requests (their answers are decided on arrival).

        Args:
            seconds: Delay before answering.
            times: How many requests.
        """
        self._script.push_delay(seconds, times)

    def queue_disconnect(self, after_chunks: int = 1, times: int = 1) -> None:
        """Drop the connection of the next ``times`` chat requests.

        Streaming: after ``after_chunks`` SSE events, without finishing the chunked body.
        Non-streaming: without answering.

        Args:
            after_chunks: SSE events sent before dropping.
            times: How many requests.
        """
        self._script.push(DisconnectItem(after_chunks), times)

    # -- request handling ------------------------------------------------------------------

    def _record(self, handler: EmulatorHandler, raw: bytes) -> Any:
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self._requests.append(
                RecordedRequest(handler.command, handler.path, headers, body, raw)
            )
        return body

    def _token_endpoint(self, handler: EmulatorHandler) -> None:
        status = self._script.take_token_fault()
        if status is not None:
            handler.send_json(
                status,
                {"error": "internal_failure", "error_description": "Emulated token failure."},
            )
            return
        token = self._tokens.issue(self.token_lifetime, via_endpoint=True)
        lifetime = self.token_lifetime
        expires: float = int(lifetime) if float(lifetime).is_integer() else lifetime
        handler.send_json(
            200, {"access_token": token, "expires_in": expires, "token_type": "Bearer"}
        )

    def _auth_error(self, handler: EmulatorHandler, query: str) -> VertexError | None:
        header = handler.headers.get("authorization", "")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        api_key = handler.headers.get("x-goog-api-key") or ""
        if "key=AIza" in query or api_key or token.startswith("AIza"):
            return VertexError(
                401,
                err.API_KEY_MESSAGE,
                "UNAUTHENTICATED",
                [err.error_info("CREDENTIALS_MISSING")],
            )
        if scheme.lower() != "bearer" or not token:
            return VertexError(
                401,
                err.MISSING_CREDENTIAL_MESSAGE,
                "UNAUTHENTICATED",
                [err.error_info("CREDENTIALS_MISSING")],
            )
        if not self._tokens.is_valid(token):
            # §2: expired or unknown token.
            return VertexError(
                401,
                err.INVALID_CREDENTIALS_MESSAGE,
                "UNAUTHENTICATED",
                [err.error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED")],
            )
        return None

    def handle_http(self, handler: EmulatorHandler) -> None:
        """Answer one HTTP request (called by the server's handler threads).

        Args:
            handler: The request handler.
        """
        raw = handler.read_body()
        path, _, query = handler.path.partition("?")
        if path == "/token" and handler.command == "POST":
            self._token_endpoint(handler)
            return
        body = self._record(handler, raw)
        counting = COUNT_ROUTE.match(path)
        if counting is not None and handler.command == "POST":
            try:
                self._count_tokens(handler, counting, query, body)
            except VertexError as error:
                handler.send_error_body(error)
            return
        match = _ROUTE.match(path)
        if match is None or handler.command != "POST":
            handler.send_bytes(404, err.html_not_found(path), "text/html; charset=UTF-8")
            return
        try:
            self._chat(handler, match, query, raw, body)
        except VertexError as error:
            handler.send_error_body(error)

    def _count_tokens(
        self, handler: EmulatorHandler, match: re.Match[str], query: str, body: Any
    ) -> None:
        auth = self._auth_error(handler, query)
        if auth is not None:
            raise auth
        project, location = match.group("project"), match.group("location")
        model = f"{match.group('publisher')}/{match.group('model')}"
        if project != self.project or location != self.location:
            raise VertexError(
                404,
                f"Publisher Model projects/{project}/locations/{location}/publishers/"
                f"{match.group('publisher')}/models/{match.group('model')} was not found or "
                "your project does not have access to it.",
                "NOT_FOUND",
            )
        resolve_model(model, project=project, location=location)
        handler.send_json(200, count_tokens_response(body))

    def _chat(
        self, handler: EmulatorHandler, match: re.Match[str], query: str, raw: bytes, body: Any
    ) -> None:
        auth = self._auth_error(handler, query)
        if auth is not None:
            raise auth
        project, location = match.group("project"), match.group("location")
        endpoint = match.group("endpoint")
        if project != self.project:
            raise VertexError(
                403,
                f"Permission 'aiplatform.endpoints.predict' denied on resource "
                f"'//aiplatform.googleapis.com/projects/{project}/locations/{location}/"
                f"endpoints/{endpoint}' (or it may not exist).",
                "PERMISSION_DENIED",
                [
                    err.error_info(
                        "IAM_PERMISSION_DENIED", permission="aiplatform.endpoints.predict"
                    )
                ],
            )
        if location != self.location:
            model = body.get("model") if isinstance(body, dict) else None
            publisher, _, name = str(model or "google/unknown").partition("/")
            raise VertexError(
                404,
                f"Publisher Model projects/{project}/locations/{location}/publishers/"
                f"{publisher}/models/{name or publisher} was not found or your project does "
                "not have access to it.",
                "NOT_FOUND",
            )
        item, delay = self._script.take()
        if delay > 0:
            self._stopping.wait(delay)
        if isinstance(item, ErrorItem):
            raise item.error
        if isinstance(item, RawItem):
            handler.send_bytes(item.status, item.body, item.content_type, item.headers)
            return
        if isinstance(item, RawSseItem):
            handler.start_sse(item.status)
            for event in item.events:
                handler.write_chunk(_sse_event(event))
            if item.done:
                handler.write_chunk(b"data: [DONE]\n\n")
            handler.end_chunks()
            return
        if not isinstance(body, dict):
            raise self._body_error(raw, body)
        if endpoint == "openapi":
            model_info = resolve_model(body.get("model"), project=project, location=location)
        else:
            model_info = self_deployed_model(body.get("model"))
        request = validate_chat_request(
            body,
            model_info,
            strict=self.strict,
            location=location,
            signature_calls=self._signatures.calls,
        )
        if isinstance(item, DisconnectItem) and not request.stream:
            handler.drop()
            return
        plan = item.plan if isinstance(item, ReplyItem) else None
        if plan is None:
            plan = plan_reply(
                request,
                safety_trigger=self.safety_trigger,
                prompt_trigger=self.safety_prompt_trigger,
            )
        renderer = Renderer(request, plan, self.settings, self._signatures)
        if not request.stream:
            handler.send_json(200, renderer.completion())
            return
        handler.start_sse(200)
        limit = item.after_chunks if isinstance(item, DisconnectItem) else None
        for sent, chunk in enumerate(renderer.chunks()):
            if limit is not None and sent >= limit:
                handler.drop()
                return
            handler.write_chunk(_sse_event(chunk))
        if limit is not None:
            handler.drop()
            return
        handler.write_chunk(b"data: [DONE]\n\n")
        handler.end_chunks()

    @staticmethod
    def _body_error(raw: bytes, body: Any) -> VertexError:
        if body is None and raw.strip():
            # A1: Google's protobuf-JSON parser wording for a body that is not JSON.
            return err.invalid_argument("Invalid JSON payload received. Unexpected token.")
        if body is None:
            return err.plain_invalid_argument("Unable to submit request because messages is empty.")
        return err.invalid_argument(
            'Invalid JSON payload received. Unknown name "": Root element must be a message.'
        )
