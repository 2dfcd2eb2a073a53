"""Client-side CPU instructions per call, counted by valgrind's callgrind.

Wall-clock ratios (`run.py`) move by tens of percent when the machine's other core is
busy; instruction counts do not: the same code, inputs and interpreter give the same
count whatever else runs. This script counts what each contender's own process
executes per invoke, ainvoke and streamed chunk against `server.py` (a separate
process, not counted), side by side in one run, so a change in our per-call cost shows
even on a loaded machine. Waiting on the socket costs no instructions, so these figures
leave out latency; `run.py` measures that.

Run `python benchmarks/instructions.py` (about 4 minutes: Python runs ~50x slower under
callgrind). Needs `valgrind` and a C compiler (`cc`) for the two-function marker
library it builds. `--pythonpath DIR` counts another checkout of the package (say, an
older commit in a `git worktree`) with the same contenders, for a before/after pair.
`--write` puts the table into RESULTS.md (its own section, which `run.py` keeps).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- instructions:start -->", "<!-- instructions:end -->"

MARKERS_C = """
#include <valgrind/callgrind.h>
void zero(void) { CALLGRIND_ZERO_STATS; }
void dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""
"""Callgrind's client requests, callable through ctypes: zero the counters before a
segment, dump them (named) after it. Outside valgrind they do nothing."""

MODES = ("invoke", "ainvoke", "stream")


def _build_markers(folder: Path) -> Path:
    source, library = folder / "markers.c", folder / "libmarkers.so"
    source.write_text(MARKERS_C)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", library, source], check=True)
    return library


# -- inside valgrind -------------------------------------------------------------------------


def _segment(markers: ctypes.CDLL, name: str, run: Callable[[], object]) -> None:
    markers.zero()
    run()
    markers.dump(name.encode())


def count_in_child(library: str, calls: int, streams: int) -> None:
    """Run every contender's segments; callgrind writes one dump per segment."""
    sys.path.insert(0, str(HERE))
    from contenders import (
        CHAT_OPENAI,
        MINIMAL,
        OURS,
        RAW,
        RAW_UNTYPED,
        async_invokers,
        build_clients,
        sync_invokers,
        sync_streamers,
    )
    from run import isolate_environment
    from server import running_server

    isolate_environment()
    markers = ctypes.CDLL(library)
    names = (RAW, RAW_UNTYPED, MINIMAL, CHAT_OPENAI, OURS)
    with running_server() as url:
        clients = build_clients(url)
        invokers, streamers = sync_invokers(clients), sync_streamers(clients)
        for name in names:
            invoke, stream = invokers[name], streamers[name]
            for _ in range(10):  # warm: clients built, connections open, caches filled
                invoke()
            stream()
            _segment(
                markers, f"invoke|{name}|{calls}", lambda f=invoke: [f() for _ in range(calls)]
            )
            _segment(
                markers, f"stream|{name}|{streams}", lambda f=stream: [f() for _ in range(streams)]
            )
        clients.close()

        async def asynchronous() -> None:
            every = async_invokers(clients)
            for name in names:
                call: Callable[[], Awaitable[object]] = every[name]
                for _ in range(10):
                    await call()
                markers.zero()
                for _ in range(calls):
                    await call()
                markers.dump(f"ainvoke|{name}|{calls}".encode())
            await clients.aclose()

        asyncio.run(asynchronous())


# -- outside ----------------------------------------------------------------------------------


def read_dumps(folder: Path) -> dict[tuple[str, str], float]:
    """(mode, contender) -> instructions per call (per chunk for streams)."""
    from server import STREAM_CHUNKS

    counts: dict[tuple[str, str], float] = {}
    for dump in sorted(folder.glob("callgrind.out.*")):
        text = dump.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.MULTILINE)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
        if not trigger or not total:
            continue  # the final dump at exit
        mode, name, repeats = trigger.group(1).split("|")
        per = int(total.group(1)) / int(repeats)
        counts[mode, name] = per / STREAM_CHUNKS if mode == "stream" else per
    return counts


def table(counts: dict[tuple[str, str], float]) -> list[str]:
    """Markdown rows: per mode and contender, instructions and ratios."""
    from contenders import CHAT_OPENAI, MINIMAL, OURS, RAW, RAW_UNTYPED

    order = (RAW, RAW_UNTYPED, MINIMAL, CHAT_OPENAI, OURS)
    unit = {"invoke": "call", "ainvoke": "call", "stream": "chunk"}
    lines = [
        "| Benchmark | Client | Instructions | x raw SDK | x core + untyped SDK |",
        "|---|---|---|---|---|",
    ]
    for mode in MODES:
        raw, minimal = counts.get((mode, RAW)), counts.get((mode, MINIMAL))
        for name in order:
            value = counts.get((mode, name))
            if value is None:
                continue
            vs_raw = f"{value / raw:.2f}x" if raw else "-"
            vs_minimal = f"{value / minimal:.2f}x" if minimal else "-"
            lines.append(
                f"| {mode} | {name} | {value / 1000:,.1f} k/{unit[mode]} | {vs_raw} | {vs_minimal} |"
            )
    lines += ["", "Our share (ChatVertexOpenAI minus core + untyped SDK, same transport):", ""]
    for mode in MODES:
        ours, minimal, bare = (counts.get((mode, n)) for n in (OURS, MINIMAL, RAW_UNTYPED))
        if ours and minimal and bare:
            lines.append(
                f"- {mode}: {(ours - minimal) / 1000:+,.1f} k instructions per {unit[mode]} "
                f"(core's share over the bare untyped call: {(minimal - bare) / 1000:+,.1f} k)"
            )
    return lines


def _commit(pythonpath: str | None) -> str:
    where = pythonpath or str(HERE.parent)
    found = subprocess.run(
        ["git", "-C", where, "rev-parse", "--short", "HEAD"],
        check=False,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() or "unknown"


def main() -> None:
    """Count under callgrind, then print (and optionally write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40, help="calls per invoke segment")
    parser.add_argument("--streams", type=int, default=4, help="200-chunk streams per segment")
    parser.add_argument("--pythonpath", help="count the package found in this folder instead")
    parser.add_argument("--write", action="store_true", help="write the table into RESULTS.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        count_in_child(args.child, args.calls, args.streams)
        return
    missing = [tool for tool in ("valgrind", "cc") if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"instructions.py needs {' and '.join(missing)} (Debian: apt-get install valgrind gcc)"
        )
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        library = _build_markers(folder)
        env = dict(os.environ)
        if args.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, (args.pythonpath, env.get("PYTHONPATH")))
            )
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            __file__,
            "--child",
            str(library),
            "--calls",
            str(args.calls),
            "--streams",
            str(args.streams),
        ]
        print("counting under callgrind (about 4 minutes) ...", file=sys.stderr)
        subprocess.run(command, env=env, check=True, stderr=subprocess.DEVNULL)
        counts = read_dumps(folder)
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"Run: `python benchmarks/instructions.py` on {when}; package at commit "
        f"{_commit(args.pythonpath)}; {args.calls} calls per segment, {args.streams} streams "
        "of 200 chunks. Instructions executed by the client's process (callgrind), "
        "the same whatever else the machine runs."
    )
    text = "\n".join([header, "", *table(counts)])
    print(text)
    if args.write:
        old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
        section = f"{START}\n\n{text}\n\n{END}"
        if START in old and END in old:
            new = old[: old.find(START)] + section + old[old.find(END) + len(END) :]
        else:
            new = old.rstrip("\n") + "\n\n## Instructions per call\n\n" + section + "\n"
        RESULTS.write_text(new)
        print(f"wrote {RESULTS.relative_to(HERE.parent)}", file=sys.stderr)


if __name__ == "__main__":
    main()
