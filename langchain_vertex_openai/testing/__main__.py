"""Command line: ``python -m langchain_vertex_openai.testing`` / ``vertex-openai-emulator``.

Starts the emulator, prints the base URL and a token valid for the token lifetime (an hour
by default) with usage examples, and serves until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import contextlib
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
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until interrupted.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    args = _parser().parse_args(argv)
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
        lines = [
            f"Vertex AI emulator ({mode} mode) listening on {emulator.root_url}",
            f"port: {emulator.port}",
            f"base_url: {emulator.base_url}",
            f"token: {token}",
            f"(valid {args.token_lifetime:g} s; more from POST {emulator.token_url})",
            "",
            "curl:",
            f"  curl {emulator.base_url}/chat/completions \\",
            f'    -H "Authorization: Bearer {token}" -H "Content-Type: application/json" \\',
            '    -d \'{"model": "google/gemini-2.5-flash", '
            '"messages": [{"role": "user", "content": "Hello"}]}\'',
            "openai SDK:",
            f'  openai.OpenAI(base_url="{emulator.base_url}", api_key="{token}")',
            "ChatVertexOpenAI (any code, without changes):",
            f"  export VERTEX_OPENAI_BASE_URL={emulator.base_url}",
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
