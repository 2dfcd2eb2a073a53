"""Request handling behind :class:`~.server.VertexEmulator`: routing, auth, scripted answers.

Order (each step may answer and stop):

1. ``POST /token`` (emulator-only path): issue a token, or a scripted token fault.
2. Routing (§1): ``POST /v1|v1beta1/projects/{p}/locations/{l}/endpoints/{openapi|ID}/
   chat/completions`` (and the native ``:countTokens``); anything else gets the Google
   front-end HTML 404.
3. The request is recorded, then auth (§2): an API key or a missing, unknown or expired
   bearer token -> 401 ``UNAUTHENTICATED``.
4. A project other than the emulator's -> 403 ``PERMISSION_DENIED`` (what IAM answers for a
   project the caller cannot use); another location -> 404 in the §1 "Publisher Model ...
   was not found" wording (emulator choice: each emulator serves one location, like a
   regional host).
5. The next scripted item (``queue_*``) is taken and a queued delay waited; the item answers
   through the :class:`Exchange` (``script.py``): errors and raw answers without looking at
   the body, replies and disconnects after validation. Without an item the brain answers.
6. Body parsing (A1), model resolution (A2), validation (``rules.py``), rendering
   (``wire.py``).

Section numbers refer to ``docs/vertex-facts.md``.
"""

from __future__ import annotations

import json
import re
import threading
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_vertex_openai.testing import errors as err
from langchain_vertex_openai.testing.brain import Plan, plan_reply
from langchain_vertex_openai.testing.catalog import resolve_model, self_deployed_model
from langchain_vertex_openai.testing.count_tokens import COUNT_ROUTE, count_tokens_response
from langchain_vertex_openai.testing.errors import VertexError
from langchain_vertex_openai.testing.request import ChatRequest
from langchain_vertex_openai.testing.rules import validate_chat_request
from langchain_vertex_openai.testing.script import Script
from langchain_vertex_openai.testing.state import RecordedHeaders, SignatureBook, TokenStore
from langchain_vertex_openai.testing.wire import Renderer, sse_event

if TYPE_CHECKING:
    from langchain_vertex_openai.testing.server import RecordedRequest, VertexEmulator
    from langchain_vertex_openai.testing.transport import EmulatorHandler

_ROUTE = re.compile(
    r"^/(?P<version>v1|v1beta1)/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/endpoints/(?P<endpoint>openapi|\d+)/chat/completions$"
)


@dataclass(frozen=True)
class HandlerBug:
    """An exception raised inside the emulator while it answered a request.

    Attributes:
        error: The exception.
        request: ``"METHOD path"`` of the request being answered.
        formatted: The formatted traceback (what the 500 body carries).
    """

    error: BaseException
    request: str
    formatted: str


class Exchange:
    """One chat request on its way to an answer; scripted items answer through it."""

    def __init__(
        self,
        router: Router,
        handler: EmulatorHandler,
        match: re.Match[str],
        raw: bytes,
        body: Any,
    ) -> None:
        self._router = router
        self._handler = handler
        self._match = match
        self._raw = raw
        self._body = body
        self._request: ChatRequest | None = None

    def request(self) -> ChatRequest:
        """Parse, resolve and validate the request (once).

        Returns:
            The validated request.

        Raises:
            VertexError: The refusal Vertex (or strict mode) answers with.
        """
        if self._request is None:
            self._request = self._router.validate(self._match, self._raw, self._body)
        return self._request

    def send_raw(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        """Answer with exactly these bytes, without looking at the request body."""
        self._handler.send_bytes(status, body, content_type, headers)

    def send_sse(self, status: int, events: list[str | dict[str, Any]], *, done: bool) -> None:
        """Answer with exactly these SSE events (and ``data: [DONE]`` when ``done``)."""
        self._handler.start_sse(status)
        for event in events:
            self._handler.write_chunk(sse_event(event))
        if done:
            self._handler.write_chunk(b"data: [DONE]\n\n")
        self._handler.end_chunks()

    def send_error(self, error: VertexError) -> None:
        """Answer with a Vertex-shaped error (§10)."""
        self._handler.send_error_body(error)

    def drop(self) -> None:
        """Close the connection without answering (more)."""
        self._handler.drop()

    def answer(self, plan: Plan | None = None, *, drop_after: int | None = None) -> None:
        """Answer the validated request with ``plan`` (the brain's when None).

        Args:
            plan: A scripted plan, or None for the brain's answer.
            drop_after: Streaming only: drop the connection after this many SSE events.
        """
        request = self.request()
        emulator = self._router.emulator
        if plan is None:
            plan = plan_reply(
                request,
                safety_trigger=emulator.safety_trigger,
                prompt_trigger=emulator.safety_prompt_trigger,
            )
        renderer = Renderer(request, plan, emulator.settings, self._router.signatures)
        if not request.stream:
            self._handler.send_json(200, renderer.completion())
            return
        self._handler.start_sse(200)
        for sent, chunk in enumerate(renderer.chunks()):
            if drop_after is not None and sent >= drop_after:
                self._handler.drop()
                return
            self._handler.write_chunk(sse_event(chunk))
        if drop_after is not None:
            self._handler.drop()
            return
        self._handler.write_chunk(b"data: [DONE]\n\n")
        self._handler.end_chunks()


class Router:
    """The emulator's server-side state and the answer to every HTTP request."""

    def __init__(self, emulator: VertexEmulator) -> None:
        self.emulator = emulator
        self.tokens = TokenStore()
        self.signatures = SignatureBook()
        self.script = Script()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._bugs: list[HandlerBug] = []

    # -- recorded state --------------------------------------------------------------------

    def recorded(self) -> list[RecordedRequest]:
        """The recorded requests, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear_recorded(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def report_bug(self, error: BaseException, request: str) -> HandlerBug:
        """Remember an exception raised inside the emulator while answering ``request``.

        Args:
            error: The exception.
            request: ``"METHOD path"``.

        Returns:
            The recorded bug (its ``formatted`` traceback goes into the 500 body).
        """
        formatted = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        bug = HandlerBug(error, request, formatted)
        with self._lock:
            self._bugs.append(bug)
        return bug

    def take_bugs(self) -> list[HandlerBug]:
        """The bugs reported so far, forgotten once taken."""
        with self._lock:
            bugs, self._bugs = self._bugs, []
        return bugs

    def _record(self, handler: EmulatorHandler, raw: bytes) -> Any:
        from langchain_vertex_openai.testing.server import RecordedRequest

        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
        headers = RecordedHeaders((k.lower(), v) for k, v in handler.headers.items())
        with self._lock:
            self._requests.append(
                RecordedRequest(handler.command, handler.path, headers, body, raw)
            )
        return body

    # -- routing ---------------------------------------------------------------------------

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

    def _token_endpoint(self, handler: EmulatorHandler) -> None:
        status = self.script.take_token_fault()
        if status is not None:
            handler.send_json(
                status,
                {"error": "internal_failure", "error_description": "Emulated token failure."},
            )
            return
        lifetime = self.emulator.token_lifetime
        token = self.tokens.issue(lifetime, via_endpoint=True)
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
        if not self.tokens.is_valid(token):
            # §2: expired or unknown token.
            return VertexError(
                401,
                err.INVALID_CREDENTIALS_MESSAGE,
                "UNAUTHENTICATED",
                [err.error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED")],
            )
        return None

    def _count_tokens(
        self, handler: EmulatorHandler, match: re.Match[str], query: str, body: Any
    ) -> None:
        auth = self._auth_error(handler, query)
        if auth is not None:
            raise auth
        project, location = match.group("project"), match.group("location")
        model = f"{match.group('publisher')}/{match.group('model')}"
        if project != self.emulator.project or location != self.emulator.location:
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
        if project != self.emulator.project:
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
        if location != self.emulator.location:
            model = body.get("model") if isinstance(body, dict) else None
            publisher, _, name = str(model or "google/unknown").partition("/")
            raise VertexError(
                404,
                f"Publisher Model projects/{project}/locations/{location}/publishers/"
                f"{publisher}/models/{name or publisher} was not found or your project does "
                "not have access to it.",
                "NOT_FOUND",
            )
        item, delay = self.script.take()
        if delay > 0:
            self.stopping.wait(delay)
        exchange = Exchange(self, handler, match, raw, body)
        if item is None:
            exchange.answer()
        else:
            item.respond(exchange)

    def validate(self, match: re.Match[str], raw: bytes, body: Any) -> ChatRequest:
        """Parse the body, resolve the model and validate the request (A1, A2, ``rules.py``).

        Args:
            match: The route match.
            raw: The raw body.
            body: The parsed body (None if it was not JSON).

        Returns:
            The validated request.

        Raises:
            VertexError: The refusal.
        """
        if not isinstance(body, dict):
            raise _body_error(raw, body)
        project, location = match.group("project"), match.group("location")
        if match.group("endpoint") == "openapi":
            model_info = resolve_model(body.get("model"), project=project, location=location)
        else:
            model_info = self_deployed_model(body.get("model"))
        return validate_chat_request(
            body,
            model_info,
            strict=self.emulator.strict,
            location=location,
            signature_calls=self.signatures.calls,
        )


def _body_error(raw: bytes, body: Any) -> VertexError:
    if body is None and raw.strip():
        # A1: Google's protobuf-JSON parser wording for a body that is not JSON.
        return err.invalid_argument("Invalid JSON payload received. Unexpected token.")
    if body is None:
        return err.plain_invalid_argument("Unable to submit request because messages is empty.")
    return err.invalid_argument(
        'Invalid JSON payload received. Unknown name "": Root element must be a message.'
    )
