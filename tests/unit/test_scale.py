"""`langchain_vertex_openai.scale`: ids kept, failures returned in place, concurrency bounded."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig, RunnableLambda

from langchain_vertex_openai.scale import abatch_with_ids, batch_with_ids


class _InFlight:
    """Counts calls running at once (threads or tasks)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


def _shout(text: str) -> str:
    if text == "bad":
        raise ValueError("bad document")
    return text.upper()


ITEMS = [("a", "x"), ("b", "bad"), ("c", "z")]


def test_ids_stay_with_results_and_a_failure_is_returned_in_place() -> None:
    results = batch_with_ids(RunnableLambda(_shout), ITEMS, max_concurrency=2)
    assert [doc_id for doc_id, _ in results] == ["a", "b", "c"]
    assert results[0] == ("a", "X") and results[2] == ("c", "Z")
    assert isinstance(results[1][1], ValueError)


async def test_async_ids_stay_with_results_and_a_failure_is_returned_in_place() -> None:
    async def shout(text: str) -> str:
        return _shout(text)

    results = await abatch_with_ids(RunnableLambda(_shout, afunc=shout), ITEMS, max_concurrency=2)
    assert [doc_id for doc_id, _ in results] == ["a", "b", "c"]
    assert results[2] == ("c", "Z")
    assert isinstance(results[1][1], ValueError)


def test_max_concurrency_bounds_calls_in_flight() -> None:
    in_flight = _InFlight()

    def slow(text: str) -> str:
        with in_flight:
            time.sleep(0.02)
        return text

    items = [(n, str(n)) for n in range(12)]
    results = batch_with_ids(RunnableLambda(slow), iter(items), max_concurrency=3)
    assert results == [(n, str(n)) for n in range(12)]
    assert 1 < in_flight.peak <= 3


async def test_async_max_concurrency_bounds_calls_in_flight() -> None:
    in_flight = _InFlight()

    async def slow(text: str) -> str:
        with in_flight:
            await asyncio.sleep(0.02)
        return text

    items = [(n, str(n)) for n in range(12)]
    results = await abatch_with_ids(RunnableLambda(slow), items, max_concurrency=4)
    assert results == [(n, str(n)) for n in range(12)]
    assert 1 < in_flight.peak <= 4


def test_config_reaches_every_call_and_its_max_concurrency_is_replaced() -> None:
    seen: list[Any] = []

    def record(text: str, config: RunnableConfig) -> str:
        seen.append((config.get("tags"), config.get("max_concurrency")))
        return text

    config: RunnableConfig = {"tags": ["partition-7"], "max_concurrency": 99}
    batch_with_ids(RunnableLambda(record), ITEMS, max_concurrency=2, config=config)
    assert seen == [(["partition-7"], 2)] * 3
    assert config["max_concurrency"] == 99  # the caller's config is not modified


async def test_empty_partition_makes_no_call() -> None:
    def never(text: str) -> str:
        raise AssertionError("called")

    assert batch_with_ids(RunnableLambda(never), [], max_concurrency=1) == []
    assert await abatch_with_ids(RunnableLambda(never), iter([]), max_concurrency=1) == []


@pytest.mark.parametrize("bad", [0, -1])
def test_max_concurrency_below_one_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="max_concurrency must be at least 1"):
        batch_with_ids(RunnableLambda(_shout), ITEMS, max_concurrency=bad)


@pytest.mark.parametrize("bad", [True, 2.0, "8", None])
async def test_max_concurrency_that_is_not_an_int_is_refused(bad: Any) -> None:
    with pytest.raises(TypeError, match="max_concurrency must be an int"):
        await abatch_with_ids(RunnableLambda(_shout), ITEMS, max_concurrency=bad)
