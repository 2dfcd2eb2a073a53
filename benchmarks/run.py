"""Client overhead of `ChatVertexOpenAI` next to the raw openai SDK and `ChatOpenAI`.

All contenders call ONE instant loopback server (`server.py`, a separate process),
so what is timed is client-side work. Run `python benchmarks/run.py` (about 3-4
minutes on 2 cores) or `--quick` (about 1 minute); see `benchmarks/README.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from contenders import (
    CHAT_OPENAI,
    FLOOR,
    MINIMAL,
    OURS,
    RAW,
    RAW_SMALL_POOL,
    RAW_UNTYPED,
    Clients,
    async_invokers,
    build_clients,
    first_invokers,
    sync_invokers,
    sync_streamers,
)
from server import STREAM_CHUNKS, running_server

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
RESULTS = HERE / "RESULTS.md"
TABLE_START = "<!-- results:start -->"
KEPT_SECTIONS = ("## Scale-out", "## Instructions per call")
TABLE_END = "<!-- results:end -->"
IMPORTS = {
    RAW: ("import openai",) * 3,
    FLOOR: ("import langchain_core.language_models.chat_models",) * 3,
    MINIMAL: ("import openai, langchain_core.language_models.chat_models",) * 3,
    CHAT_OPENAI: ("import langchain_openai",) + ("from langchain_openai import ChatOpenAI",) * 2,
    OURS: (
        "import langchain_vertex_openai",
        "from langchain_vertex_openai import ChatVertexOpenAI",
        # What the first call loads (`openai` among it), so deferring hides no cost.
        "from langchain_vertex_openai import ChatVertexOpenAI; "
        "import langchain_vertex_openai._clients, langchain_vertex_openai._errors",
    ),
}
"""Per contender: (import the package, import the model class, the class plus what its
first call imports)."""
IMPORT_SECTIONS = ("import package", "import chat model class", "cold start: class + first call")
TIMED = (RAW, RAW_UNTYPED, FLOOR, MINIMAL, CHAT_OPENAI, OURS)
BUILD_SECTION = "build + first invoke (sync)"
"""Contenders in the per-call and per-chunk benchmarks."""


@dataclass(frozen=True)
class Settings:
    """How much work one run does."""

    reps: int
    invokes: int
    streams: int
    concurrency: int
    throughput_reps: int
    import_runs: int
    builds: int
    """New clients built and called once, per repetition ("build + first invoke")."""
    concurrent: tuple[str, ...]
    """Contenders in the throughput benchmark."""
    memory: tuple[str, ...]
    """Contenders whose peak memory is traced (slow: tracemalloc)."""


QUICK = Settings(
    reps=3,
    invokes=150,
    streams=6,
    concurrency=1000,
    throughput_reps=2,
    import_runs=3,
    builds=40,
    concurrent=(RAW, RAW_SMALL_POOL, OURS),
    memory=(RAW, OURS),
)
FULL = Settings(
    reps=11,
    invokes=400,
    streams=16,
    concurrency=1000,
    throughput_reps=5,
    import_runs=7,
    builds=100,
    concurrent=(RAW, RAW_SMALL_POOL, MINIMAL, CHAT_OPENAI, OURS),
    memory=(RAW, RAW_SMALL_POOL, MINIMAL, CHAT_OPENAI, OURS),
)


@dataclass
class Row:
    """One measured figure: the per-repetition values and how to read them."""

    section: str
    client: str
    unit: str
    values: list[float] = field(default_factory=list)
    higher_is_better: bool = False

    @property
    def median(self) -> float:
        """The median over repetitions."""
        return statistics.median(self.values)


@dataclass
class Report:
    """All rows, in the order they are printed."""

    rows: list[Row] = field(default_factory=list)

    def row(self, section: str, client: str, unit: str, *, higher: bool = False) -> Row:
        """Return the row for (section, client), creating it on first use."""
        for row in self.rows:
            if row.section == section and row.client == client:
                return row
        row = Row(section, client, unit, higher_is_better=higher)
        self.rows.append(row)
        return row

    def get(self, section: str, client: str) -> Row | None:
        """Return a row if it was measured."""
        return next((r for r in self.rows if r.section == section and r.client == client), None)

    def ratio(self, row: Row, baseline: str = RAW) -> float | None:
        """Median over repetitions of `row / baseline`, each pair from the same repetition.

        Pairing cancels drift between repetitions (a busy neighbour slows every client of
        that repetition); rows with unpaired values fall back to a ratio of medians.
        """
        base = self.get(row.section, baseline)
        if base is None or 0 in base.values:
            return None
        if len(row.values) != len(base.values):
            return row.median / base.median
        return statistics.median(
            value / reference for value, reference in zip(row.values, base.values, strict=True)
        )

    def difference(self, row: Row, baseline: str) -> float | None:
        """Median over repetitions of `row - baseline`, paired like `ratio`."""
        base = self.get(row.section, baseline)
        if base is None:
            return None
        if len(row.values) != len(base.values):
            return row.median - base.median
        return statistics.median(
            value - reference for value, reference in zip(row.values, base.values, strict=True)
        )


# -- timing helpers --------------------------------------------------------------------------


def _rotated(names: Sequence[str], rep: int) -> list[str]:
    """Interleave: each repetition starts with a different client."""
    shift = rep % len(names)
    return [*names[shift:], *names[:shift]]


def time_sync(call: Callable[[], object], count: int) -> float:
    """Nanoseconds per call over `count` back-to-back calls (gc collected first)."""
    gc.collect()
    start = time.perf_counter_ns()
    for _ in range(count):
        call()
    return (time.perf_counter_ns() - start) / count


async def time_async(call: Callable[[], Awaitable[object]], count: int) -> float:
    """Nanoseconds per call over `count` sequential awaited calls (gc collected first)."""
    gc.collect()
    start = time.perf_counter_ns()
    for _ in range(count):
        await call()
    return (time.perf_counter_ns() - start) / count


async def concurrent_batch(call: Callable[[], Awaitable[object]], concurrency: int) -> float:
    """Seconds for `concurrency` calls started together (gc collected first)."""
    gc.collect()
    start = time.perf_counter_ns()
    await asyncio.gather(*(call() for _ in range(concurrency)))
    return (time.perf_counter_ns() - start) / 1e9


_STARTED = time.perf_counter()


def _progress(message: str) -> None:
    print(f"  [{time.perf_counter() - _STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


# -- benchmarks ------------------------------------------------------------------------------


def bench_invoke(report: Report, clients: Clients, settings: Settings) -> None:
    """(1, sync) Microseconds per `invoke` / `create`."""
    every = sync_invokers(clients)
    calls = {name: every[name] for name in TIMED}
    for call in calls.values():
        for _ in range(20):
            call()
    for rep in range(settings.reps):
        for name in _rotated(list(calls), rep):
            ns = time_sync(calls[name], settings.invokes)
            report.row("invoke (sync)", name, "µs/call").values.append(ns / 1000)
        _progress(f"invoke rep {rep + 1}/{settings.reps}")


def bench_first_invoke(report: Report, url: str, settings: Settings) -> None:
    """(6) Milliseconds to build a new client and make its first call."""
    calls = first_invokers(url)
    for build in calls.values():
        for _ in range(3):
            build()()
    for rep in range(settings.reps):
        for name in _rotated(list(calls), rep):
            gc.collect()
            elapsed = 0
            for _ in range(settings.builds):
                start = time.perf_counter_ns()
                close = calls[name]()
                elapsed += time.perf_counter_ns() - start
                close()  # the raw SDK's own pool, outside the timing
            row = report.row(BUILD_SECTION, name, "ms")
            row.values.append(elapsed / settings.builds / 1e6)
        _progress(f"build + first invoke rep {rep + 1}/{settings.reps}")


def bench_ainvoke(
    report: Report, clients: Clients, settings: Settings, loop: asyncio.AbstractEventLoop
) -> None:
    """(1, async) Microseconds per `ainvoke` / async `create`, sequential."""
    every = async_invokers(clients)
    calls = {name: every[name] for name in TIMED}
    for call in calls.values():
        loop.run_until_complete(time_async(call, 20))
    for rep in range(settings.reps):
        for name in _rotated(list(calls), rep):
            ns = loop.run_until_complete(time_async(calls[name], settings.invokes))
            report.row("ainvoke (async)", name, "µs/call").values.append(ns / 1000)
        _progress(f"ainvoke rep {rep + 1}/{settings.reps}")


def bench_stream(report: Report, clients: Clients, settings: Settings) -> None:
    """(2) Microseconds per chunk of a 200-chunk stream, consumed to the end."""
    every = sync_streamers(clients)
    calls = {name: every[name] for name in TIMED}
    for name, call in calls.items():
        seen = call()
        call()
        if seen < STREAM_CHUNKS:
            msg = f"{name} yielded {seen} items for a {STREAM_CHUNKS}-chunk stream"
            raise RuntimeError(msg)
    for rep in range(settings.reps):
        for name in _rotated(list(calls), rep):
            ns = time_sync(calls[name], settings.streams)
            per_chunk = ns / STREAM_CHUNKS / 1000
            report.row("stream (sync), per chunk", name, "µs/chunk").values.append(per_chunk)
        _progress(f"stream rep {rep + 1}/{settings.reps}")


def bench_throughput(
    report: Report, clients: Clients, settings: Settings, loop: asyncio.AbstractEventLoop
) -> None:
    """(3) Calls per second with `concurrency` concurrent calls; (5) their peak memory."""
    every = async_invokers(clients)
    calls = {name: every[name] for name in settings.concurrent}
    section = f"async throughput, {settings.concurrency} concurrent"
    for call in calls.values():
        # Opens the connections and builds everything lazily built.
        loop.run_until_complete(concurrent_batch(call, settings.concurrency))
    _progress("throughput warm-up done")
    for rep in range(settings.throughput_reps):
        for name in _rotated(list(calls), rep):
            seconds = loop.run_until_complete(concurrent_batch(calls[name], settings.concurrency))
            row = report.row(section, name, "calls/s", higher=True)
            row.values.append(settings.concurrency / seconds)
        _progress(f"throughput rep {rep + 1}/{settings.throughput_reps}")
    memory = f"peak traced memory, {settings.concurrency} concurrent"
    for name in settings.memory:
        call = every[name]
        gc.collect()
        tracemalloc.start()
        loop.run_until_complete(concurrent_batch(call, settings.concurrency))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        report.row(memory, name, "MiB").values.append(peak / 2**20)
    _progress("peak memory done")


def import_ms(statement: str, pycache: str) -> float:
    """Milliseconds `statement` takes in a fresh interpreter (wall time, in-process).

    Timed inside the child, around the statement only, so interpreter startup is
    excluded and lazily loaded submodules count (`-X importtime` misses modules loaded
    through `importlib.import_module`, as a lazy `__getattr__` does). Bytecode is read
    from (and first written to) `pycache` for every package alike: with
    PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise be compiled from
    source on every import while pip-installed packages load their `.pyc` files.
    """
    code = (
        "import time; start = time.perf_counter_ns(); "
        f"{statement}; print((time.perf_counter_ns() - start) / 1e6)"
    )
    env = {**os.environ, "PYTHONPYCACHEPREFIX": pycache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return float(done.stdout.strip().splitlines()[-1])


def bench_imports(report: Report, settings: Settings) -> None:
    """(4) Import time in fresh interpreters, median of several, clients interleaved."""
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        _bench_imports(report, settings, pycache)


def _bench_imports(report: Report, settings: Settings, pycache: str) -> None:
    for statement in {statement for pair in IMPORTS.values() for statement in pair}:
        import_ms(statement, pycache)  # byte-compiles, warms the page cache
    for run in range(settings.import_runs):
        for name in _rotated(list(IMPORTS), run):
            measured: dict[str, float] = {}  # one interpreter per distinct statement
            for section, statement in zip(IMPORT_SECTIONS, IMPORTS[name], strict=True):
                if statement not in measured:
                    measured[statement] = import_ms(statement, pycache)
                row = report.row(f"{section} (fresh interpreter)", name, "ms")
                row.values.append(measured[statement])
    _progress("imports done")


# -- output ----------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table_rows(report: Report) -> list[list[str]]:
    """Header plus one line per row: figure, ratio to the raw SDK, spread."""
    lines = [["Benchmark", "Client", "Median", "x raw SDK", "Spread (min-max)", "Reps"]]
    # "x raw SDK" is the median of per-repetition ratios (see Report.ratio).
    for row in report.rows:
        ratio = report.ratio(row)
        lines.append(
            [
                row.section,
                row.client,
                f"{_fmt(row.median)} {row.unit}",
                "-" if ratio is None else f"{ratio:.2f}x",
                f"{_fmt(min(row.values))}-{_fmt(max(row.values))}",
                str(len(row.values)),
            ]
        )
    return lines


def attribution_rows(report: Report) -> list[list[str]]:
    """Per timing section: what langchain-core adds to the SDK call, and what we add."""
    lines = [
        [
            "Benchmark",
            "raw SDK, untyped",
            "core + untyped SDK",
            "ChatVertexOpenAI",
            "core's share",
            "our share",
            "ours / (core + untyped SDK)",
        ]
    ]
    for section in ("invoke (sync)", "ainvoke (async)", "stream (sync), per chunk"):
        untyped, minimal, ours = (
            report.get(section, name) for name in (RAW_UNTYPED, MINIMAL, OURS)
        )
        if untyped is None or minimal is None or ours is None:
            continue
        core_share = report.difference(minimal, RAW_UNTYPED)
        our_share = report.difference(ours, MINIMAL)
        ratio = report.ratio(ours, MINIMAL)
        lines.append(
            [
                f"{section} ({ours.unit})",
                _fmt(untyped.median),
                _fmt(minimal.median),
                _fmt(ours.median),
                f"{core_share or 0:+.1f}",
                f"{our_share or 0:+.1f}",
                f"{ratio or 0:.2f}x",
            ]
        )
    return lines


def target_lines(report: Report, settings: Settings) -> list[str]:
    """Whether each target from issue 8 is met (paired ratios, median over repetitions)."""
    throughput = f"async throughput, {settings.concurrency} concurrent"
    # label, section, baseline client, limit, whether the limit is a maximum
    invoke, ainvoke, chunk = "invoke (sync)", "ainvoke (async)", "stream (sync), per chunk"
    package, model_class, cold = (f"{section} (fresh interpreter)" for section in IMPORT_SECTIONS)
    checks = [
        ("invoke <= 1.10x raw SDK", invoke, RAW, 1.10, True),
        ("invoke <= 1.10x core + untyped SDK", invoke, MINIMAL, 1.10, True),
        ("ainvoke <= 1.10x raw SDK", ainvoke, RAW, 1.10, True),
        ("ainvoke <= 1.10x core + untyped SDK", ainvoke, MINIMAL, 1.10, True),
        ("stream per chunk <= 1.10x raw SDK", chunk, RAW, 1.10, True),
        ("stream per chunk <= 1.10x core + untyped SDK", chunk, MINIMAL, 1.10, True),
        ("async throughput >= 0.90x raw SDK", throughput, RAW, 0.90, False),
        ("async throughput >= 0.90x raw SDK, same pool", throughput, RAW_SMALL_POOL, 0.90, False),
        ("import package <= 0.50x langchain_openai", package, CHAT_OPENAI, 0.50, True),
        ("import model class <= 0.75x ChatOpenAI's", model_class, CHAT_OPENAI, 0.75, True),
        ("import model class <= 1.15x core floor", model_class, FLOOR, 1.15, True),
        ("cold start <= 1.00x ChatOpenAI's", cold, CHAT_OPENAI, 1.00, True),
        ("cold start <= 1.15x openai + core", cold, MINIMAL, 1.15, True),
        ("build + first invoke <= 1.20x ChatOpenAI's", BUILD_SECTION, CHAT_OPENAI, 1.20, True),
    ]
    lines = []
    for label, section, baseline, limit, is_max in checks:
        ours = report.get(section, OURS)
        ratio = None if ours is None else report.ratio(ours, baseline)
        if ratio is None:
            continue
        met = ratio <= limit if is_max else ratio >= limit
        lines.append(f"{'MET   ' if met else 'MISSED'}  {label}: {ratio:.2f}x")
    return lines


def _plain(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for number, line in enumerate(lines):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def _markdown(lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "---|" * len(lines[0])]
    out += ["| " + " | ".join(line) + " |" for line in lines[1:]]
    return "\n".join(out)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    """CPU model, cores, Python and package versions, as one Markdown line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    packages = ", ".join(
        f"{name} {_version(name)}"
        for name in (
            "langchain-vertex-openai",
            "langchain-core",
            "langchain-openai",
            "openai",
            "httpx2",
            "pydantic",
        )
    )
    return (
        f"{cpu}, {usable} usable cores ({os.cpu_count()} online); "
        f"Python {platform.python_version()} ({platform.python_implementation()}) "
        f"on {platform.system()} {platform.release()}; {packages}"
    )


def package_commit() -> str:
    """The repository's commit, marked `+changes` if the package has uncommitted edits."""
    root = HERE.parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "langchain_vertex_openai")
    return f"{commit}{' +changes' if dirty else ''}"


def markdown_report(report: Report, settings: Settings, mode: str, seconds: float) -> str:
    """The Markdown written to RESULTS.md (and into README.md on full runs)."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"Run: `python benchmarks/run.py{' --quick' if mode == 'quick' else ''}` "
            f"({mode}, {seconds:.0f} s) on {now}.",
            "",
            f"Machine: {machine()}. Package at commit {package_commit()}.",
            "",
            f"Settings: {settings.reps} repetitions x {settings.invokes} calls "
            f"(invoke, ainvoke), x {settings.streams} streams of {STREAM_CHUNKS} chunks; "
            f"{settings.throughput_reps} throughput batches of {settings.concurrency} "
            f"concurrent calls; {settings.import_runs} fresh interpreters per import.",
            "",
            _markdown(table_rows(report)),
            "",
            "Who adds what, in the unit of each benchmark: core's share is "
            "`core + untyped SDK` minus the bare untyped SDK call; our share is "
            "`ChatVertexOpenAI` minus `core + untyped SDK` (same request, same transport):",
            "",
            _markdown(attribution_rows(report)),
            "",
            "Targets (issues 8 and 15):",
            "",
            *[f"- {line}" for line in target_lines(report, settings)],
            "",
        ]
    )


def write_outputs(text: str, update_readme: bool) -> None:
    """Write RESULTS.md and, if asked, the table between README.md's markers."""
    # The sections of scale_out.py and instructions.py (their own runs) are kept.
    old = RESULTS.read_text() if RESULTS.exists() else ""
    starts = [old.find(heading) for heading in KEPT_SECTIONS if heading in old]
    kept = old[min(starts) :] if starts else ""
    RESULTS.write_text("# Benchmark results\n\n" + text + ("\n" + kept if kept else ""))
    if update_readme and README.exists():
        readme = README.read_text()
        start, end = readme.find(TABLE_START), readme.find(TABLE_END)
        if 0 <= start < end:
            readme = readme[: start + len(TABLE_START)] + "\n\n" + text + "\n" + readme[end:]
            README.write_text(readme)


# -- main ------------------------------------------------------------------------------------


def pool_demo(concurrency: int, delay: float) -> None:
    """1,000 concurrent calls against a server that waits `delay` s: the pool size shows."""
    print(f"pool demo: {concurrency} concurrent calls, server answers after {delay} s")
    with running_server(delay=delay) as url:
        clients = build_clients(url)
        loop = asyncio.new_event_loop()
        try:
            every = async_invokers(clients)
            for name in (RAW, RAW_SMALL_POOL, OURS):
                seconds = loop.run_until_complete(concurrent_batch(every[name], concurrency))
                print(f"  {name:30s} {seconds:6.2f} s  ({concurrency / seconds:6.1f} calls/s)")
        finally:
            clients.close()
            loop.run_until_complete(clients.aclose())
            loop.run_until_complete(loop.shutdown_asyncgens())  # closes our loop's pool
            loop.close()


def isolate_environment() -> None:
    """Nothing may trace to LangSmith (network) or change the clients' behaviour."""
    for name in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING"):
        os.environ[name] = "false"
    for name in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        os.environ.pop(name, None)


def main(argv: Sequence[str] | None = None) -> None:
    """Run every benchmark against one loopback server and print the table."""
    isolate_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 1 minute instead of ~4")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument(
        "--pool-demo",
        type=float,
        metavar="SECONDS",
        help="instead: 1,000 concurrent calls against a server with this latency",
    )
    args = parser.parse_args(argv)
    if args.pool_demo is not None:
        isolate_environment()
        pool_demo(FULL.concurrency, args.pool_demo)
        return
    settings = QUICK if args.quick else FULL
    mode = "quick" if args.quick else "full"
    began = time.perf_counter()
    report = Report()
    print(f"benchmarks ({mode}) — progress on stderr", file=sys.stderr)
    with running_server() as url:
        clients = build_clients(url)
        loop = asyncio.new_event_loop()
        try:
            bench_invoke(report, clients, settings)
            bench_stream(report, clients, settings)
            bench_first_invoke(report, url, settings)
            bench_ainvoke(report, clients, settings, loop)
            bench_throughput(report, clients, settings, loop)
        finally:
            clients.close()
            loop.run_until_complete(clients.aclose())
            loop.run_until_complete(loop.shutdown_asyncgens())  # closes our loop's pool
            loop.close()
    bench_imports(report, settings)
    seconds = time.perf_counter() - began
    print()
    print(_plain(table_rows(report)))
    print()
    print("Who adds what (core's share: core + untyped SDK - untyped SDK; ours: the rest):")
    print(_plain(attribution_rows(report)))
    print()
    print("\n".join(target_lines(report, settings)))
    print(f"\n{mode} run: {seconds:.0f} s")
    if not args.no_write:
        write_outputs(markdown_report(report, settings, mode, seconds), not args.quick)
        print(f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
