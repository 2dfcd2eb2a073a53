"""Load: N concurrent `ainvoke` calls with ChatVertexOpenAI next to the raw openai client.

Starts the local Vertex emulator (in a child process by default, so its threads neither
compete for this process's GIL nor show up in tracemalloc), then for each contender runs
one warm-up call, a timed pass of N concurrent calls (calls/s, p50/p99 latency) and a
second pass under tracemalloc (peak Python memory during the N calls). Bounded: N is
capped and the whole run stops after `--deadline` seconds, whatever happens.

    python scripts/load.py                 # 1,000 concurrent calls per contender
    python scripts/load.py --calls 200 --in-process

Connection pools differ and are printed: ChatVertexOpenAI builds `httpx2.AsyncClient()`
(httpx2's default: 100 connections), the raw `openai.AsyncOpenAI` uses the SDK's own
default pool (1,000 connections).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

MAX_CALLS = 20_000
MODEL = "google/gemini-3.5-flash"

_CHILD = """
import json, sys
from langchain_vertex_openai.testing import VertexEmulator
with VertexEmulator(strict={strict}) as emulator:
    print(json.dumps({{"base_url": emulator.base_url, "token_url": emulator.token_url,
                       "token": emulator.issue_token()}}), flush=True)
    sys.stdin.read()  # serve until the parent closes stdin (or dies)
"""

Call = Callable[[str], Awaitable[str]]


@dataclass
class Endpoint:
    """Where the emulator listens, and a token it issued."""

    base_url: str
    token_url: str
    token: str


@dataclass
class Result:
    """One pass of N concurrent calls."""

    calls: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    first_error: str = ""
    peak_bytes: int | None = None

    @property
    def rate(self) -> float:
        """Completed calls per second."""
        return self.calls / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        """The p-th latency percentile in seconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


@contextlib.contextmanager
def emulator_endpoint(*, in_process: bool, strict: bool) -> Iterator[Endpoint]:
    """Run the emulator (child process or thread) for the duration of the block."""
    if in_process:
        from langchain_vertex_openai.testing import VertexEmulator

        with VertexEmulator(strict=strict) as emulator:
            yield Endpoint(emulator.base_url, emulator.token_url, emulator.issue_token())
        return
    # The child's stderr (e.g. resets logged when a deadline cuts calls) is kept aside
    # and shown only if the emulator fails to start.
    with tempfile.TemporaryFile(mode="w+") as errors:
        child = subprocess.Popen(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", _CHILD.format(strict=strict)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            line = child.stdout.readline() if child.stdout else ""
            if not line:
                child.wait(timeout=10)
                errors.seek(0)
                raise RuntimeError(f"the emulator did not start:\n{errors.read()[-2000:]}")
            info = json.loads(line)
            yield Endpoint(info["base_url"], info["token_url"], info["token"])
        finally:
            if child.stdin is not None:
                child.stdin.close()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def contenders(endpoint: Endpoint) -> dict[str, tuple[Call, str]]:
    """Name -> (one call returning the answer text, its connection pool)."""
    import openai

    from langchain_vertex_openai import ChatVertexOpenAI
    from langchain_vertex_openai.testing import EmulatorCredentials

    llm = ChatVertexOpenAI(
        model=MODEL,
        base_url=endpoint.base_url,
        credentials=EmulatorCredentials(endpoint.token_url),
        max_retries=0,
    )

    async def ours(prompt: str) -> str:
        message = await llm.ainvoke(prompt)
        return str(message.content)

    raw = openai.AsyncOpenAI(api_key=endpoint.token, base_url=endpoint.base_url, max_retries=0)

    async def sdk(prompt: str) -> str:
        completion = await raw.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}]
        )
        return completion.choices[0].message.content or ""

    return {
        "ChatVertexOpenAI.ainvoke": (ours, "httpx2 default pool, 100 conns"),
        "openai.AsyncOpenAI (raw)": (sdk, "openai default pool, 1000 conns"),
    }


async def run_pass(call: Call, calls: int, *, memory: bool) -> Result:
    """N concurrent calls; each must answer its own prompt exactly."""

    async def one(i: int) -> float:
        started = time.perf_counter()
        answer = await call(f"Repeat exactly: call {i}")
        if answer != f"call {i}":
            raise AssertionError(f"call {i} got {answer!r}")
        return time.perf_counter() - started

    gc.collect()
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        outcomes = await asyncio.gather(*(one(i) for i in range(calls)), return_exceptions=True)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if memory else None
    finally:
        if memory:
            tracemalloc.stop()
    result = Result(calls=calls, seconds=seconds, peak_bytes=peak)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            result.failures += 1
            result.first_error = result.first_error or f"{type(outcome).__name__}: {outcome}"
        else:
            result.latencies.append(outcome)
    return result


async def compare(args: argparse.Namespace, endpoint: Endpoint, stop_at: float) -> int:
    """Warm up, then a timed and a traced pass per contender; print the table."""

    def remaining() -> float:
        left = stop_at - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    table = contenders(endpoint)
    for call, _ in table.values():
        await asyncio.wait_for(call("Repeat exactly: warm up"), remaining())
    timed = {
        name: await asyncio.wait_for(run_pass(call, args.calls, memory=False), remaining())
        for name, (call, _) in table.items()
    }
    traced = {
        name: await asyncio.wait_for(run_pass(call, args.calls, memory=True), remaining())
        for name, (call, _) in table.items()
    }

    where = "this process (its memory is counted)" if args.in_process else "a child process"
    print(f"{args.calls} concurrent ainvoke calls per pass; emulator in {where}")
    header = (
        f"{'contender':<26} {'calls/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'peak MiB':>9} {'failed':>6}  pool"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    for name, (_, pool) in table.items():
        t, m = timed[name], traced[name]
        failures = t.failures + m.failures
        failed += failures
        print(
            f"{name:<26} {t.rate:>8.0f} {t.percentile(50) * 1e3:>8.1f} "
            f"{t.percentile(99) * 1e3:>8.1f} {(m.peak_bytes or 0) / 2**20:>9.1f} "
            f"{failures:>6}  {pool}"
        )
        for result in (t, m):
            if result.first_error:
                print(f"  first error: {result.first_error[:300]}")
    print("calls/s and latency: untraced pass; peak MiB: tracemalloc pass (Python heap only)")
    return 1 if failed else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and bound the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=1000, help="concurrent calls per pass")
    parser.add_argument("--deadline", type=float, default=120.0, help="stop after this many s")
    parser.add_argument("--in-process", action="store_true", help="run the emulator in-process")
    parser.add_argument("--strict", action="store_true", help="strict emulator mode")
    args = parser.parse_args(argv)
    if not 1 <= args.calls <= MAX_CALLS:
        parser.error(f"--calls must be between 1 and {MAX_CALLS}")
    if not 0 < args.deadline <= 3600:
        parser.error("--deadline must be between 0 and 3600 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; exit 1 if any call failed, 2 if the deadline stopped it."""
    args = parse_args(argv)
    stop_at = time.monotonic() + args.deadline
    with emulator_endpoint(in_process=args.in_process, strict=args.strict) as endpoint:
        try:
            return asyncio.run(compare(args, endpoint, stop_at))
        except TimeoutError:
            print(f"stopped: the deadline of {args.deadline:g} s was reached", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
