"""Where `ChatVertexOpenAI`'s own time goes on invoke, stream and ainvoke.

Two views, against the same instant loopback server as `run.py`:

1. Micro-timings (no profiler, median of repeats) of each piece of our code that
   runs once per call or once per chunk, in microseconds.
2. cProfile of many calls, keeping only functions in `langchain_vertex_openai/`:
   calls, self and cumulative time per operation (inflated by the profiler; use
   them to rank, and the micro-timings for absolute numbers).

Run `python benchmarks/profile_hot_path.py` (about 30 s); `--pyinstrument` also
prints a pyinstrument call tree of `invoke` if pyinstrument is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx2
import openai
from contenders import (
    FLOOR,
    MESSAGES,
    MODEL,
    OURS,
    PATH,
    PROMPT,
    Clients,
    async_invokers,
    async_streamers,
    build_clients,
    sync_invokers,
    sync_streamers,
)
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.outputs import ChatGenerationChunk
from server import running_server

from langchain_vertex_openai._request import build_body
from langchain_vertex_openai._response import (
    as_generation_chunk,
    chunk_to_message_chunk,
    final_chunk,
)
from langchain_vertex_openai._tools import convert_tools
from langchain_vertex_openai._validation import validate_request

PACKAGE_DIR = os.sep + "langchain_vertex_openai" + os.sep


def micro(call: Callable[[], object], number: int = 2000, repeat: int = 7) -> float:
    """Median microseconds per call of `call` over `repeat` batches of `number`."""
    for _ in range(min(number, 200)):
        call()
    batches = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter_ns()
        for _ in range(number):
            call()
        batches.append((time.perf_counter_ns() - start) / number / 1000)
    return statistics.median(batches)


def amicro(
    loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[object]], number: int = 2000
) -> float:
    """Like `micro`, for a coroutine function, run on `loop`."""

    async def batch() -> float:
        gc.collect()
        start = time.perf_counter_ns()
        for _ in range(number):
            await call()
        return (time.perf_counter_ns() - start) / number / 1000

    loop.run_until_complete(batch())
    return statistics.median(loop.run_until_complete(batch()) for _ in range(7))


def _flow(flow: Iterator[httpx2.Request], response: httpx2.Response) -> None:
    next(flow)
    try:
        flow.send(response)  # type: ignore[attr-defined]
    except StopIteration:
        return


async def _aflow(flow: Any, response: httpx2.Response) -> None:
    await flow.__anext__()
    try:
        await flow.asend(response)
    except StopAsyncIteration:
        return


def _agent_history() -> tuple[list[BaseMessage], list[dict[str, Any]]]:
    """A typical tool-loop history (parallel and sequential calls, an image) and 3 tools."""

    def call(name: str, call_id: str, **args: Any) -> ToolCall:
        return {"name": name, "args": args, "id": call_id, "type": "tool_call"}

    tools = convert_tools(
        [
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": "d",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            }
            for name in ("get_weather", "get_time", "convert_units")
        ]
    )
    image = {"type": "image", "url": "gs://bucket/photo.png"}
    history: list[BaseMessage] = [
        SystemMessage("You are a travel assistant who answers briefly."),
        HumanMessage("What is the weather and the time in Paris?"),
        AIMessage("", tool_calls=[call("get_weather", "a", city="Paris"), call("get_time", "b")]),
        ToolMessage("sunny, 21 °C", tool_call_id="a"),
        ToolMessage("12:00", tool_call_id="b"),
        AIMessage("It is sunny and noon in Paris."),
        HumanMessage(content=[{"type": "text", "text": "And what is this?"}, image]),
        AIMessage("A photo of the Eiffel tower."),
        HumanMessage("Merci ! Convert 21 °C to °F please."),
        AIMessage("", tool_calls=[call("convert_units", "c", value=21, unit="F")]),
        ToolMessage("69.8 F", tool_call_id="c"),
    ]
    return history, tools


def micro_timings(
    clients: Clients, url: str, loop: asyncio.AbstractEventLoop
) -> list[tuple[str, float, str]]:
    """(piece, µs, note) for each piece of our per-call and per-chunk work."""
    ours = clients.ours
    messages = [HumanMessage(PROMPT)]
    body = {"model": MODEL, "messages": MESSAGES}
    completion = clients.raw.post(PATH, body=body, cast_to=object)
    stream_body = {**body, "stream": True}
    raw_chunks = list(
        clients.raw.post(
            PATH, body=stream_body, cast_to=object, stream=True, stream_cls=openai.Stream[object]
        )
    )
    prepared = ours._prepare(messages, None, False, {})
    streaming = ours._prepare(messages, None, True, {})
    auth = ours.credentials_provider.httpx_auth()
    noop = httpx2.Auth()
    request = httpx2.Request("POST", url + PATH, json=body)
    ok = httpx2.Response(200)
    provider = ours.credentials_provider

    def per_chunk() -> None:
        state = streaming.stream_state()
        for raw in raw_chunks:
            message = chunk_to_message_chunk(raw, state)
            if message is not None:
                as_generation_chunk(message)

    def floor_chunk() -> None:
        for position in range(len(raw_chunks)):
            ChatGenerationChunk(message=AIMessageChunk(content=f"tok{position} "))

    def vertex_errors() -> None:
        with ours._vertex_errors():
            pass

    history, tools = _agent_history()
    chunks = len(raw_chunks)
    auth_us = micro(lambda: _flow(auth.sync_auth_flow(request), ok))
    noop_us = micro(lambda: _flow(noop.sync_auth_flow(request), ok))
    aauth_us = amicro(loop, lambda: _aflow(auth.async_auth_flow(request), ok))
    anoop_us = amicro(loop, lambda: _aflow(noop.async_auth_flow(request), ok))
    ls_ours = micro(ours._get_ls_params)
    ls_core = micro(lambda: BaseChatModel._get_ls_params(ours))
    return [
        (
            "chat_models.py:ChatVertexOpenAI._prepare (prepare_call)",
            micro(lambda: ours._prepare(messages, None, False, {})),
            "per call",
        ),
        (
            "  of which chat_models.py:_default_params",
            micro(lambda: ours._default_params),
            "runs 2x per call",
        ),
        (
            "  of which _request.py:build_body",
            micro(lambda: build_body(messages, {"model": MODEL}, google_model=True)),
            "per call",
        ),
        (
            "  of which _validation.py:validate_request",
            micro(lambda: validate_request(messages, model=MODEL)),
            "per call",
        ),
        (
            "_validation.py:validate_request, 11-message agent history, 3 tools",
            micro(lambda: validate_request(history, model=MODEL, tools=tools, tool_choice="auto")),
            "per call",
        ),
        (
            "_call.py:PreparedCall.result (chat_result_from_completion)",
            micro(lambda: prepared.result(completion)),
            "per call",
        ),
        (
            "_httpx_auth.py:VertexHttpxAuth.sync_auth_flow, minus httpx2.Auth no-op",
            auth_us - noop_us,
            "per call",
        ),
        ("  of which auth.py:GoogleCredentialsProvider.token", micro(provider.token), "per call"),
        (
            "_httpx_auth.py:VertexHttpxAuth.async_auth_flow, minus no-op",
            aauth_us - anoop_us,
            "per async call",
        ),
        ("chat_models.py:_get_ls_params, minus core's", ls_ours - ls_core, "per call"),
        (
            "chat_models.py:_identifying_params",
            micro(lambda: ours._identifying_params),
            "per call (core asks)",
        ),
        ("chat_models.py:_get_client (cached)", micro(ours._get_client), "per call"),
        ("chat_models.py:_vertex_errors", micro(vertex_errors), "per call"),
        (
            "_response.py:chunk_to_message_chunk + as_generation_chunk",
            micro(per_chunk, number=20) / chunks,
            "per chunk",
        ),
        (
            "  core floor's ChatGenerationChunk(AIMessageChunk(...))",
            micro(floor_chunk, number=20) / chunks,
            "per chunk",
        ),
        (
            "_response.py:final_chunk + StreamState",
            micro(lambda: final_chunk(streaming.stream_state())),
            "per stream",
        ),
    ]


def _label(function: tuple[str, int, str]) -> str:
    path, line, name = function
    return f"{path.split(PACKAGE_DIR)[-1]}:{line}({name})"


def profile_ours(label: str, run: Callable[[], object], operations: int) -> None:
    """cProfile `run` (which performs `operations` operations); print our functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values())
    rows = [
        (
            entry[3] / operations * 1e6,
            entry[2] / operations * 1e6,
            entry[0] / operations,
            _label(function),
        )
        for function, entry in stats.items()
        if PACKAGE_DIR in function[0] and f"{os.sep}testing{os.sep}" not in function[0]
    ]
    ours_self = sum(row[1] for row in rows)
    print(
        f"\n[{label}] cProfile, per operation (profiled µs; total {total / operations * 1e6:.0f} µs, ours self {ours_self:.1f} µs = {ours_self / (total / operations * 1e6):.1%})"
    )
    print(f"{'cum µs':>9} {'self µs':>8} {'calls':>6}  function")
    for cumulative, own, calls, name in sorted(rows, reverse=True)[:14]:
        print(f"{cumulative:9.1f} {own:8.1f} {calls:6.1f}  {name}")


def main() -> None:
    """Run the micro-timings and the profiles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1500, help="invokes per profile")
    parser.add_argument(
        "--pyinstrument", action="store_true", help="also print a pyinstrument tree"
    )
    args = parser.parse_args()
    for name in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"):
        os.environ[name] = "false"
    with running_server() as url:
        clients = build_clients(url)
        loop = asyncio.new_event_loop()
        invoke = sync_invokers(clients)[OURS]
        ainvoke = async_invokers(clients)[OURS]
        stream = sync_streamers(clients)[OURS]
        astream = async_streamers(clients)[OURS]
        for _ in range(50):
            invoke()
            loop.run_until_complete(ainvoke())
        stream()
        loop.run_until_complete(astream())
        print("Micro-timings of our code (no profiler; median µs):")
        for piece, micros, note in micro_timings(clients, url, loop):
            print(f"{micros:9.2f}  {piece}  [{note}]")
        print(
            f"{micro(sync_invokers(clients)[FLOOR], number=500):9.2f}  (reference) core floor invoke"
        )
        calls = args.calls
        streams = max(calls // 100, 5)

        def many_invokes() -> None:
            for _ in range(calls):
                invoke()

        def many_streams() -> None:
            for _ in range(streams):
                stream()

        async def many_ainvokes() -> None:
            for _ in range(calls):
                await ainvoke()

        async def many_astreams() -> None:
            for _ in range(streams):
                await astream()

        profile_ours("invoke", many_invokes, calls)
        profile_ours("stream, per chunk", many_streams, streams * 200)
        profile_ours("ainvoke", lambda: loop.run_until_complete(many_ainvokes()), calls)
        profile_ours(
            "astream, per chunk", lambda: loop.run_until_complete(many_astreams()), streams * 200
        )
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            with profiler:
                many_invokes()
            print(profiler.output_text(color=False, unicode=False))
        clients.close()
        loop.close()


if __name__ == "__main__":
    main()
