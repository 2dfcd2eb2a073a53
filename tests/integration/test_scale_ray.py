"""Ray (local, two CPUs) against the emulator: the README's "Scale-out" recipes, for real.

Workers are separate processes: they reach the emulator by URL and find their credentials
through ``GOOGLE_APPLICATION_CREDENTIALS`` (a service-account file whose token endpoint is
the emulator's), passed with Ray's ``runtime_env``, never in a closure.
"""

from __future__ import annotations

import json
import os
import pickle
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexBadRequestError, VertexRateLimitError
from langchain_vertex_openai.testing import VertexEmulator
from tests.integration import scale_jobs

ray = pytest.importorskip("ray", reason="the scale extra is not installed")
ray_data = pytest.importorskip("ray.data")
ray_util = pytest.importorskip("ray.util")

pytestmark = pytest.mark.scale

ROOT = str(Path(__file__).parents[2])
DOCS = [f"doc-{n:03d}" for n in range(240)]


@pytest.fixture(scope="module")
def adc_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The workers' key file path (rewritten for each test's emulator) and its key."""
    return str(tmp_path_factory.mktemp("adc") / "key.json"), scale_jobs.new_private_key_pem()


@pytest.fixture(scope="module")
def cluster(adc_file: tuple[str, str]) -> Iterator[None]:
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=100 * 1024 * 1024,
        _node_ip_address="127.0.0.1",
        runtime_env={
            "env_vars": {"GOOGLE_APPLICATION_CREDENTIALS": adc_file[0], "PYTHONPATH": ROOT}
        },
    )
    with warnings.catch_warnings():  # Ray Data's own deprecated settings, read on first use
        warnings.simplefilter("ignore", DeprecationWarning)
        ray_data.DataContext.get_current().enable_progress_bars = False
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture
def emulator(cluster: None, adc_file: tuple[str, str]) -> Iterator[VertexEmulator]:
    # A new emulator (so a new URL, so new worker models) per test: counts start at zero.
    with VertexEmulator(strict=True) as emulator:
        scale_jobs.write_adc_file(adc_file[0], emulator, adc_file[1])
        yield emulator


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every pickle the driver makes (functions, actor classes, task arguments, ray.put)."""
    captured: list[bytes] = []
    dumps = ray.cloudpickle.dumps

    def recording_dumps(obj: Any, *args: Any, **kwargs: Any) -> bytes:
        data: bytes = dumps(obj, *args, **kwargs)
        captured.append(data)
        return data

    monkeypatch.setattr(ray.cloudpickle, "dumps", recording_dumps)
    return captured


def chunks(docs: list[str], size: int) -> list[list[str]]:
    return [docs[start : start + size] for start in range(0, len(docs), size)]


def test_tasks_run_abatch_on_new_event_loops(
    emulator: VertexEmulator, shipped: list[bytes], adc_file: tuple[str, str]
) -> None:
    # 12 tasks on 2 workers: each worker's model meets several asyncio.run loops in turn.
    task = ray.remote(scale_jobs.answer_async)
    futures = [task.remote(emulator.base_url, chunk) for chunk in chunks(DOCS, 20)]
    records = [record for result in ray.get(futures, timeout=60) for record in result]
    scale_jobs.check_run(records, DOCS, emulator)
    scale_jobs.check_shipped(shipped, emulator, adc_file[1])


def test_actor_pool(
    emulator: VertexEmulator, shipped: list[bytes], adc_file: tuple[str, str]
) -> None:
    actor = ray.remote(scale_jobs.Answerer)
    pool = ray_util.ActorPool([actor.remote(emulator.base_url) for _ in range(2)])
    results = pool.map_unordered(lambda a, chunk: a.answer.remote(chunk), chunks(DOCS, 30))
    records = [record for result in results for record in result]
    scale_jobs.check_run(records, DOCS, emulator)
    scale_jobs.check_shipped(shipped, emulator, adc_file[1])


def test_data_map_batches(
    emulator: VertexEmulator, shipped: list[bytes], adc_file: tuple[str, str]
) -> None:
    dataset = ray_data.from_items([{"id": doc_id} for doc_id in DOCS], override_num_blocks=4)
    answered = dataset.map_batches(
        scale_jobs.answer_batch, fn_kwargs={"base_url": emulator.base_url}, batch_size=40
    )
    scale_jobs.check_run(answered.take_all(), DOCS, emulator)
    scale_jobs.check_shipped(shipped, emulator, adc_file[1])


def test_a_key_in_the_closure_is_shipped(
    emulator: VertexEmulator, shipped: list[bytes], adc_file: tuple[str, str]
) -> None:
    # The control for check_shipped: the anti-pattern (key credentials in the closure)
    # puts the private key into Ray's function table, and the check sees it.
    from google.oauth2 import service_account

    credentials = service_account.Credentials.from_service_account_file(adc_file[0])

    def with_key_in_closure() -> str:
        return type(credentials).__name__

    assert ray.get(ray.remote(with_key_in_closure).remote(), timeout=30) == "Credentials"
    with pytest.raises(AssertionError):
        scale_jobs.check_shipped(shipped, emulator, adc_file[1])


def test_a_model_passed_as_a_task_argument_builds_a_client_per_task(
    emulator: VertexEmulator,
) -> None:
    # Why the recipes build the model on the worker: a shipped model is unpickled per task.
    llm = ChatVertexOpenAI(model=scale_jobs.MODEL, base_url=emulator.base_url)
    shared = ray.put(llm)
    task = ray.remote(scale_jobs.invoke_with)
    assert ray.get([task.remote(shared, doc_id) for doc_id in DOCS[:6]], timeout=60) == DOCS[:6]
    assert emulator.tokens_issued == 6


def test_a_429_is_retried_per_document_by_the_client_and_per_chunk_by_ray(
    emulator: VertexEmulator,
) -> None:
    # The client's retry resends the one document that got the 429 ...
    emulator.queue_error(429)
    records = ray.get(ray.remote(scale_jobs.answer).remote(emulator.base_url, DOCS[:6]))
    assert [record["answer"] for record in records] == DOCS[:6]
    assert len(emulator.chat_requests) == 7

    # ... an engine retry re-runs the chunk: its five finished documents are sent (billed) again.
    emulator.queue_error(429)
    task = ray.remote(max_retries=1, retry_exceptions=[VertexRateLimitError])
    retried = task(scale_jobs.answer_or_raise).remote(emulator.base_url, DOCS[6:12])
    assert ray.get(retried, timeout=60) == DOCS[6:12]
    # The failed attempt sent the 429'd document and whatever else had started (how many
    # depends on scheduling); the re-run then sends all six again.
    assert 7 + 1 + 6 <= len(emulator.chat_requests) <= 7 + 12
    rerun = [json.dumps(request.body) for request in emulator.chat_requests[-6:]]
    assert all(any(doc in body for body in rerun) for doc in DOCS[6:12])


def test_worker_errors_reach_the_driver_as_vertex_errors(emulator: VertexEmulator) -> None:
    # Raised in a task: `except VertexRateLimitError` works on the driver.
    emulator.queue_error(429, retry_after=1)
    with pytest.raises(VertexRateLimitError) as raised:
        ray.get(ray.remote(scale_jobs.invoke_one).remote(emulator.base_url, "doc-x"), timeout=30)
    assert type(raised.value.cause) is VertexRateLimitError  # type: ignore[attr-defined]
    assert raised.value.cause.status_code == 429  # type: ignore[attr-defined]

    # Returned per document (return_exceptions): the rest of the chunk is answered.
    emulator.queue_error(429)
    emulator.queue_error(400, "Invalid argument.")
    task = ray.remote(scale_jobs.answer)
    records = ray.get(task.remote(emulator.base_url, DOCS[:6], 0), timeout=30)
    errors = sorted(type(r["answer"]).__name__ for r in records if r["id"] != r["answer"])
    assert errors == [VertexBadRequestError.__name__, VertexRateLimitError.__name__]
    for record in records:
        if isinstance(record["answer"], Exception):
            assert b"ya29." not in pickle.dumps(record["answer"])
        else:
            assert record["answer"] == record["id"]
    assert os.getpid() not in {record["pid"] for record in records}
