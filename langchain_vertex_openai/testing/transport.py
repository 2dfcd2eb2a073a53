"""The HTTP layer: a threading HTTP/1.1 server and its handler with response helpers.

``ThreadingHTTPServer`` with keep-alive (``protocol_version = "HTTP/1.1"``), daemon threads
and a large listen backlog, because load tests open hundreds of connections. JSON answers use
``Content-Length``; SSE answers use ``Transfer-Encoding: chunked`` so that a dropped
connection is detectable by the client (no terminating chunk).

A client that goes away is normal (timeouts, cancelled streams, pools closed mid-request)
and is not reported. An exception raised inside the emulator is a bug: it is answered with
a 500 carrying the traceback (and ``x-should-retry: false``, so the ``openai`` SDK does not
retry it), and handed to the emulator, whose pytest fixtures re-raise it at teardown.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from langchain_vertex_openai.testing.errors import VertexError
from langchain_vertex_openai.testing.wire import dumps

_JSON = "application/json; charset=UTF-8"


class MalformedRequestError(Exception):
    """The request's framing (``Content-Length`` or chunk sizes) cannot be read."""


class App(Protocol):
    """What the server needs from the emulator."""

    verbose: bool

    def handle_http(self, handler: EmulatorHandler) -> None:
        """Answer one request."""

    def report_bug(self, error: BaseException, request: str) -> str:
        """Remember an exception raised while answering; return its formatted traceback."""


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Threading server that also tracks open connections so ``stop()`` can close them."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: App) -> None:
        self.emulator = emulator
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, EmulatorHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection, then handle it in a thread."""
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection and close it."""
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent when a client went away; report anything else as an emulator bug."""
        error = sys.exc_info()[1]
        if error is None or isinstance(error, OSError):
            return  # a reset, broken pipe or closed socket: the client (or stop()) left
        self.emulator.report_bug(error, f"a request from {client_address!r}")
        super().handle_error(request, client_address)

    def close_open_sockets(self) -> None:
        """Shut down every open connection (idle keep-alive ones included)."""
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class EmulatorHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler; every method is delegated to the emulator."""

    protocol_version = "HTTP/1.1"
    server: EmulatorHTTPServer
    timeout = 300
    #: Whether the status line of the current answer was sent (a 500 can no longer be).
    answer_started = False

    def version_string(self) -> str:
        """The ``Server`` header Google front ends send."""
        return "scaffolding on HTTPServer2"

    def log_message(self, format: str, *args: Any) -> None:
        """Log to stderr only when the emulator is verbose."""
        if self.server.emulator.verbose:
            super().log_message(format, *args)

    def send_response(self, code: int, message: str | None = None) -> None:
        """Send the status line (and remember that the answer has started)."""
        self.answer_started = True
        super().send_response(code, message)

    def _dispatch(self) -> None:
        self.answer_started = False
        try:
            self.server.emulator.handle_http(self)
        except OSError:  # the client went away (or the emulator is stopping)
            self.close_connection = True
        except MalformedRequestError:
            # The client's fault, not an emulator bug: a bare 400 (emulator choice).
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.send_bytes(400, b"Bad Request", "text/plain; charset=UTF-8")
        except Exception as error:  # a bug inside the emulator
            self.close_connection = True
            formatted = self.server.emulator.report_bug(error, f"{self.command} {self.path}")
            if not self.answer_started:
                with contextlib.suppress(OSError):
                    self._send_bug(formatted)

    def _send_bug(self, formatted: str) -> None:
        body = {
            "error": {
                "code": 500,
                "message": "Emulator bug (not a Vertex answer): " + formatted,
                "status": "INTERNAL",
            }
        }
        self.send_json(500, body, {"x-should-retry": "false", "Connection": "close"})

    def do_POST(self) -> None:
        """Handle POST."""
        self._dispatch()

    def do_GET(self) -> None:
        """Handle GET (always a 404 page)."""
        self._dispatch()

    def do_PUT(self) -> None:
        """Handle PUT (always a 404 page)."""
        self._dispatch()

    def do_DELETE(self) -> None:
        """Handle DELETE (always a 404 page)."""
        self._dispatch()

    def do_PATCH(self) -> None:
        """Handle PATCH (always a 404 page)."""
        self._dispatch()

    # -- helpers used by the emulator --------------------------------------------------

    def read_body(self) -> bytes:
        """Read the request body (``Content-Length`` or chunked).

        Returns:
            The raw body.

        Raises:
            MalformedRequestError: If the length or a chunk size is not a number.
        """
        try:
            if "chunked" in self.headers.get("transfer-encoding", "").lower():
                data = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return bytes(data)
                    data += self.rfile.read(size)
                    self.rfile.readline()
            length = int(self.headers.get("content-length") or 0)
        except ValueError as error:
            raise MalformedRequestError(str(error)) from error
        return self.rfile.read(length) if length > 0 else b""

    def send_bytes(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        """Send a complete response with ``Content-Length``.

        Args:
            status: HTTP status.
            body: Body bytes.
            content_type: Content-Type header.
            headers: Extra headers.
        """
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Origin, X-Origin, Referer")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        """Send compact, key-sorted JSON (§7).

        Args:
            status: HTTP status.
            obj: The JSON value.
            headers: Extra headers.
        """
        self.send_bytes(status, dumps(obj).encode(), _JSON, headers)

    def send_error_body(self, error: VertexError) -> None:
        """Send a Vertex-shaped error (§10).

        Args:
            error: The error.
        """
        headers = dict(error.headers)
        if error.status == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/"')
        self.send_json(error.status, error.body(), headers)

    def start_sse(self, status: int) -> None:
        """Send the headers of a chunked ``text/event-stream`` response.

        Args:
            status: HTTP status.
        """
        self.send_response(status)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Vary", "Origin, X-Origin, Referer")
        self.end_headers()

    def write_chunk(self, data: bytes) -> None:
        """Write one HTTP chunk and flush.

        Args:
            data: The chunk payload.
        """
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_chunks(self) -> None:
        """Write the terminating zero-length chunk."""
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def drop(self) -> None:
        """Close the TCP connection abruptly (no more bytes, no chunked terminator)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
