"""Command line: ``python -m langchain_vertex_openai.testing`` / ``vertex-openai-emulator``.

Starts the emulator, prints the base URL and a token valid for the token lifetime (an hour
by default) with usage examples, and serves until Ctrl-C (or SIGTERM).

It binds loopback only unless ``--allow-remote`` is given: anyone who can reach it can get
tokens from ``/token`` and read nothing back but fakes, yet its plain-http traffic (tokens
included) can be read on the way, and a client pointed at it learns to send tokens in clear.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vertex-openai-emulator",
        description="Local emulator of Vertex AI's OpenAI-compatible Chat Completions endpoint.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface (default 127.0.0.1); one beyond loopback needs --allow-remote",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (plain http: traffic is readable)",
    )
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one")
    parser.add_argument("--strict", action="store_true", help="reject fields Vertex ignores")
    parser.add_argument("--project", default="emulator-project")
    parser.add_argument("--location", default="global")
    parser.add_argument("--token-lifetime", type=float, default=3600.0, help="seconds")
    parser.add_argument(
        "--tool-call-id-style",
        choices=["function_name", "empty", "numeric"],
        default="function_name",
    )
    parser.add_argument("--usage-style", choices=["vertex", "gemini_api"], default="vertex")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # '' (every interface), a hostname: not known to stay local


_EVERY_INTERFACE = ("", "0.0.0.0", "::")  # noqa: S104 - compared with, not bound


def _remote_warning(host: str) -> str:
    where = "EVERY network interface" if host in _EVERY_INTERFACE else repr(host)
    bar = "!" * 78
    return "\n".join(
        [
            bar,
            f"WARNING: the Vertex AI emulator listens on {where}, beyond this machine.",
            "Anyone who can reach it can take tokens from its /token endpoint and use it;",
            "it speaks plain http, so every request, token and prompt can be read on the way.",
            "Clients on other machines need allow_insecure_http=True to talk to it: never",
            "give that setting to a model holding real Google credentials.",
            bar,
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until interrupted.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    remote = not _is_loopback(args.host)
    if remote and not args.allow_remote:
        parser.error(
            f"--host {args.host!r} is reachable beyond this machine (plain http, tokens "
            "readable on the way). Use --host 127.0.0.1 (the default), or add --allow-remote "
            "if you mean it."
        )
    if remote:
        print(_remote_warning(args.host), file=sys.stderr, flush=True)
    from langchain_vertex_openai.testing.server import VertexEmulator

    emulator = VertexEmulator(
        strict=args.strict,
        project=args.project,
        location=args.location,
        host=args.host,
        port=args.port,
        token_lifetime=args.token_lifetime,
        tool_call_id_style=args.tool_call_id_style,
        usage_style=args.usage_style,
        verbose=args.verbose,
    )
    done = threading.Event()

    def _stop(*_: Any) -> None:
        done.set()

    with contextlib.suppress(ValueError):  # only possible from the main thread
        signal.signal(signal.SIGTERM, _stop)
    with emulator:
        token = emulator.issue_token()
        mode = "strict" if emulator.strict else "default"
        root_url, base_url, token_url = emulator.root_url, emulator.base_url, emulator.token_url
        if args.host in _EVERY_INTERFACE:  # `http://:8080` is no URL: show the local one
            local = f"http://127.0.0.1:{emulator.port}"
            base_url = base_url.replace(root_url, local, 1)
            token_url = token_url.replace(root_url, local, 1)
            root_url = f"{root_url} (every interface)"
        lines = [
            f"Vertex AI emulator ({mode} mode) listening on {root_url}",
            f"port: {emulator.port}",
            f"base_url: {base_url}",
            f"token: {token}",
            f"(valid {args.token_lifetime:g} s; more from POST {token_url})",
            "",
            "curl:",
            f"  curl {base_url}/chat/completions \\",
            f'    -H "Authorization: Bearer {token}" -H "Content-Type: application/json" \\',
            '    -d \'{"model": "google/gemini-3.5-flash", '
            '"messages": [{"role": "user", "content": "Hello"}]}\'',
            "openai SDK:",
            f'  openai.OpenAI(base_url="{base_url}", api_key="{token}")',
            "ChatVertexOpenAI (any code, without changes):",
            f"  export VERTEX_OPENAI_BASE_URL={base_url}",
            f"  export VERTEX_ACCESS_TOKEN={token}",
            "",
            "Press Ctrl-C to stop.",
        ]
        print("\n".join(lines), flush=True)
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
