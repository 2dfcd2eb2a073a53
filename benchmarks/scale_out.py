"""Documents per second at 200 ms latency: one process, Ray (2 CPUs) and Spark (local[2]).

The emulator runs in a child process (so its threads do not share the driver's GIL) and
delays every chat request by `--latency` seconds. Each worker builds its model once per
process (`worker_llm`, pickled by reference) and sends its whole chunk through
`batch_with_ids(..., max_concurrency=C)`; the "one invoke per ..." rows are the
one-call-per-task pattern for comparison. Engine start-up and each worker's first call
are excluded (a warm-up job runs first). Writes the table between the scale markers of
RESULTS.md (kept by run.py) unless `--no-write`.

    python benchmarks/scale_out.py            # about 2 minutes on 2 idle cores
    python benchmarks/scale_out.py --docs 320 --repeat 1 --no-write
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
MODEL = "gemini-3.5-flash"

_EMULATOR = """
import json, sys
from langchain_vertex_openai.testing import VertexEmulator
with VertexEmulator() as emu:
    emu.queue_delay(float(sys.argv[1]), times=10**9)
    print(json.dumps({"base_url": emu.base_url, "token_url": emu.token_url,
                      "project": emu.project}), flush=True)
    sys.stdin.read()
"""


# -- worker side (imported by the workers: this module is pickled by reference) -------------


@functools.cache
def worker_llm(base_url: str) -> Any:
    from langchain_vertex_openai import ChatVertexOpenAI

    return ChatVertexOpenAI(model=MODEL, base_url=base_url, max_retries=0)


def answer(base_url: str, concurrency: int, doc_ids: Iterable[str]) -> list[tuple[str, bool]]:
    from langchain_vertex_openai.scale import batch_with_ids

    items = [(doc_id, f"Repeat exactly: {doc_id}") for doc_id in doc_ids]
    results = batch_with_ids(worker_llm(base_url), items, max_concurrency=concurrency)
    return [(doc_id, getattr(out, "content", None) == doc_id) for doc_id, out in results]


def answer_partition(base_url: str, concurrency: int, rows: Iterator[str]) -> list[Any]:
    return answer(base_url, concurrency, rows)


def invoke_one(base_url: str, doc_id: str) -> tuple[str, bool]:
    return doc_id, worker_llm(base_url).invoke(f"Repeat exactly: {doc_id}").content == doc_id


async def _abatch(base_url: str, concurrency: int, doc_ids: list[str]) -> list[Any]:
    from langchain_vertex_openai.scale import abatch_with_ids

    items = [(doc_id, f"Repeat exactly: {doc_id}") for doc_id in doc_ids]
    # Each asyncio.run is a new loop; the one model keeps an async pool per loop.
    results = await abatch_with_ids(worker_llm(base_url), items, max_concurrency=concurrency)
    return [(doc_id, getattr(out, "content", None) == doc_id) for doc_id, out in results]


# -- driver ---------------------------------------------------------------------------------


def _docs(run: str, count: int) -> list[str]:
    return [f"{run}-{n:05d}" for n in range(count)]


def _rate(job: Callable[[list[str]], list[tuple[str, bool]]], docs: list[str]) -> float:
    start = time.perf_counter()
    results = job(docs)
    elapsed = time.perf_counter() - start
    if sorted(doc_id for doc_id, _ in results) != sorted(docs) or not all(ok for _, ok in results):
        raise RuntimeError("a document was lost, duplicated or answered wrongly")
    return len(docs) / elapsed


def _chunks(docs: list[str], parts: int) -> list[list[str]]:
    return [docs[n::parts] for n in range(parts)]


def _write_adc(path: str, emulator: dict[str, str]) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": emulator["project"],
        "private_key_id": "bench",
        "private_key": pem,
        "client_email": "bench@emulator-project.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": emulator["token_url"],
    }
    Path(path).write_text(json.dumps(info))


def measure(args: argparse.Namespace) -> list[tuple[str, str, list[float]]]:
    import scale_out  # this module by name, so the engines pickle its functions by reference

    child = subprocess.Popen(
        [sys.executable, "-c", _EMULATOR, str(args.latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    emulator = json.loads(child.stdout.readline())
    url, c = emulator["base_url"], args.concurrency
    adc = Path(tempfile.mkdtemp()) / "key.json"
    _write_adc(str(adc), emulator)
    os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = str(adc)
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(adc), "PYTHONPATH": str(HERE)}
    rows: list[tuple[str, str, list[float]]] = []

    def row(name: str, setup: str, job: Callable[[list[str]], Any], count: int) -> None:
        job(_docs(f"warm{len(rows)}", 4))
        rates = [_rate(job, _docs(f"r{len(rows)}x{n}", count)) for n in range(args.repeat)]
        rows.append((name, setup, rates))
        print(f"{name:<45} {statistics.median(rates):8.1f} docs/s", flush=True)

    try:
        import asyncio

        row(
            "one process, batch",
            f"`batch_with_ids(max_concurrency={c})`, threads",
            lambda d: scale_out.answer(url, c, d),
            args.docs // 2,
        )
        row(
            "one process, abatch",
            f"`abatch_with_ids(max_concurrency={c})`, an `asyncio.run` per run",
            lambda d: asyncio.run(scale_out._abatch(url, c, d)),
            args.docs // 2,
        )
        row(
            "one process, one invoke at a time",
            "`invoke` in a loop",
            lambda d: [scale_out.invoke_one(url, doc_id) for doc_id in d],
            args.slow_docs // 2,
        )
        _ray_rows(args, row, url, env)
        _spark_rows(args, row, url, env)
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        adc.unlink()
        adc.parent.rmdir()
    return rows


def _ray_rows(args: argparse.Namespace, row: Any, url: str, env: dict[str, str]) -> None:
    import ray
    import scale_out

    c = args.concurrency
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
        runtime_env={"env_vars": env},
    )
    try:
        task = ray.remote(scale_out.answer)
        one = ray.remote(scale_out.invoke_one)

        def tasks(docs: list[str]) -> list[Any]:
            parts = ray.get([task.remote(url, c, chunk) for chunk in _chunks(docs, 4)])
            return [result for part in parts for result in part]

        row(
            "Ray, 2 CPUs, 4 tasks",
            f"a chunk per task, `batch_with_ids(max_concurrency={c})`",
            tasks,
            args.docs,
        )
        row(
            "Ray, 2 CPUs, one invoke per task",
            "a task per document",
            lambda d: ray.get([one.remote(url, doc_id) for doc_id in d]),
            args.slow_docs,
        )
    finally:
        ray.shutdown()


def _spark_rows(args: argparse.Namespace, row: Any, url: str, env: dict[str, str]) -> None:
    import scale_out

    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
    for name, value in env.items():
        builder = builder.config(f"spark.executorEnv.{name}", value)
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    spark = builder.config("spark.driver.host", "127.0.0.1").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    c = args.concurrency
    try:
        sc = spark.sparkContext
        row(
            "Spark local[2], mapPartitions, 4 partitions",
            f"`batch_with_ids(max_concurrency={c})` per partition",
            lambda d: (
                sc.parallelize(d, 4)
                .mapPartitions(functools.partial(scale_out.answer_partition, url, c))
                .collect()
            ),
            args.docs,
        )
        row(
            "Spark local[2], one invoke per row",
            "`rdd.map(invoke)`",
            lambda d: (
                sc.parallelize(d, 4).map(functools.partial(scale_out.invoke_one, url)).collect()
            ),
            args.slow_docs,
        )
    finally:
        spark.stop()


def render(args: argparse.Namespace, rows: list[tuple[str, str, list[float]]], took: float) -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("ray", "pyspark", "langchain-core")
    )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        START,
        "",
        f"Run: `python benchmarks/scale_out.py` ({took:.0f} s) on {now}; {os.cpu_count()} cores "
        f"shared with other work (load average {os.getloadavg()[0]:.1f} at the end); "
        f"Python {platform.python_version()}, {versions}.",
        "",
        f"Emulator latency {args.latency * 1000:.0f} ms per request; median of {args.repeat} "
        f"runs of {args.docs} documents ({args.docs // 2} for one process, "
        f"{args.slow_docs} for the one-call rows).",
        "",
        "| Setup | How | docs/s | Runs (docs/s) |",
        "|---|---|---|---|",
    ]
    for name, setup, rates in rows:
        spread = ", ".join(f"{rate:.1f}" for rate in rates)
        lines.append(f"| {name} | {setup} | {statistics.median(rates):.1f} | {spread} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _replace(path: Path, block: str) -> None:
    text = path.read_text() if path.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + block.rstrip("\n") + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n## Scale-out\n\n" + block
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--docs", type=int, default=640)
    parser.add_argument("--slow-docs", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ["LANGSMITH_TRACING"] = "false"
    sys.path.insert(0, str(HERE))
    start = time.perf_counter()
    rows = measure(args)
    block = render(args, rows, time.perf_counter() - start)
    print(block)
    if not args.no_write:
        _replace(RESULTS, block)


if __name__ == "__main__":
    main()
