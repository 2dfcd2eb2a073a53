"""A minimal, instant Vertex-shaped Chat Completions server on loopback.

Raw HTTP/1.1 on asyncio (keep-alive, pipelining-safe): every POST is answered
at once with a fixed, pre-encoded body in Vertex's wire format; a request whose
JSON has `"stream": true` gets 200 SSE chunks (chunked transfer encoding) and
`data: [DONE]`. Any `Authorization: Bearer ...` is accepted; no other checks.

Run as `python benchmarks/server.py [--port N] [--lifetime S] [--delay S]`: it prints
`PORT <n>` on stdout and serves until stdin closes or `--lifetime` seconds pass,
so it never outlives the benchmark that started it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator

MODEL = "google/gemini-2.5-flash"
STREAM_CHUNKS = 200
USAGE = {"completion_tokens": 5, "prompt_tokens": 5, "total_tokens": 10}

COMPLETION = {
    "choices": [
        {
            "finish_reason": "stop",
            "index": 0,
            "logprobs": None,
            "message": {"content": "Hello there, friend.", "role": "assistant"},
        }
    ],
    "created": 1,
    "id": "x",
    "model": MODEL,
    "object": "chat.completion",
    "system_fingerprint": "",
    "usage": USAGE,
}


def _stream_chunk(position: int, last: bool) -> dict[str, object]:
    choice: dict[str, object] = {
        "delta": {"content": f"tok{position} ", "role": "assistant"},
        "index": 0,
    }
    chunk: dict[str, object] = {
        "choices": [choice],
        "created": 1,
        "id": "x",
        "model": MODEL,
        "object": "chat.completion.chunk",
        "system_fingerprint": "",
    }
    if last:
        choice["finish_reason"] = "stop"
        chunk["usage"] = USAGE
    return chunk


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def build_responses() -> tuple[bytes, bytes, bytes]:
    """Return the pre-encoded (completion, stream, 401) HTTP responses."""
    body = _json(COMPLETION)
    completion = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(body), body)
    )
    events = [
        b"data: " + _json(_stream_chunk(i, i == STREAM_CHUNKS - 1)) + b"\n\n"
        for i in range(STREAM_CHUNKS)
    ]
    events.append(b"data: [DONE]\n\n")
    stream = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        b"transfer-encoding: chunked\r\n\r\n"
        + b"".join(_http_chunk(event) for event in events)
        + b"0\r\n\r\n"
    )
    denied = b'{"error":{"code":401,"message":"missing bearer token"}}'
    unauthorized = (
        b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(denied), denied)
    )
    return completion, stream, unauthorized


COMPLETION_RESPONSE, STREAM_RESPONSE, UNAUTHORIZED_RESPONSE = build_responses()


class _Connection(asyncio.Protocol):
    """One keep-alive connection: parse requests from a buffer and answer each."""

    delay = 0.0
    """Seconds to wait before answering (0: at once); set by `serve`."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end].decode("latin-1")
            lines = head.split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self._buffer) < end + 4 + length:
                return
            body = self._buffer[end + 4 : end + 4 + length]
            self._buffer = self._buffer[end + 4 + length :]
            self._answer(headers, body)
            if headers.get("connection", "").lower() == "close":
                self._transport.close()
                self._transport = None

    def _answer(self, headers: dict[str, str], body: bytes) -> None:
        assert self._transport is not None
        if not headers.get("authorization", "").startswith("Bearer "):
            self._transport.write(UNAUTHORIZED_RESPONSE)
            return
        stream = False
        if b'"stream"' in body:
            with contextlib.suppress(ValueError):
                stream = json.loads(body).get("stream") is True
        response = STREAM_RESPONSE if stream else COMPLETION_RESPONSE
        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, self._write_later, response)
        else:
            self._transport.write(response)

    def _write_later(self, response: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(response)

    def connection_lost(self, exc: Exception | None) -> None:
        del exc
        self._transport = None


async def serve(port: int, lifetime: float, delay: float = 0.0) -> None:
    """Serve on 127.0.0.1 until stdin closes or `lifetime` seconds pass."""
    _Connection.delay = delay
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, "127.0.0.1", port, backlog=4096)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    stdin_closed = asyncio.Event()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stdin_closed.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    async with server:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stdin_closed.wait(), timeout=lifetime)


@contextlib.contextmanager
def running_server(lifetime: float = 900.0, delay: float = 0.0) -> Iterator[str]:
    """Start this server in a subprocess (own GIL) and yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--lifetime", str(lifetime), "--delay", str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            msg = f"benchmark server did not start: {line!r}"
            raise RuntimeError(msg)
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=900.0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before answering")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.lifetime, args.delay))


if __name__ == "__main__":
    main()
