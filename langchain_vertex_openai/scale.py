"""Run a model over a partition of documents on a Ray or Spark worker, keeping each id.

A worker that calls the model one document at a time has one request in flight; these
helpers send a whole partition through `batch` / `abatch` with a bounded
`max_concurrency`, and return a failed document's exception in its place instead of
failing the task, so an engine retry never re-runs (and re-bills) the documents that
succeeded. Each result stays paired with its document's id.

Example:
    >>> from langchain_vertex_openai.scale import batch_with_ids
    >>> results = batch_with_ids(llm, [("doc-1", "Summarize: ..."), ("doc-2", "...")],
    ...                          max_concurrency=16)  # doctest: +SKIP
    >>> [(doc_id, r) for doc_id, r in results if isinstance(r, Exception)]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from langchain_core.runnables import Runnable, RunnableConfig

__all__ = ["abatch_with_ids", "batch_with_ids"]

K = TypeVar("K")
Input = TypeVar("Input")
Output = TypeVar("Output")


def _prepare(
    items: Iterable[tuple[K, Input]], max_concurrency: int, config: RunnableConfig | None
) -> tuple[list[K], list[Input], RunnableConfig]:
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
        raise TypeError(f"max_concurrency must be an int, not {type(max_concurrency).__name__}")
    if max_concurrency < 1:
        raise ValueError(
            f"max_concurrency must be at least 1, got {max_concurrency}: it is the number of "
            "requests this worker keeps in flight."
        )
    ids: list[K] = []
    inputs: list[Input] = []
    for item in items:
        doc_id, value = item
        ids.append(doc_id)
        inputs.append(value)
    run_config = RunnableConfig(**(config or {}))
    run_config["max_concurrency"] = max_concurrency
    return ids, inputs, run_config


def batch_with_ids(
    runnable: Runnable[Input, Output],
    items: Iterable[tuple[K, Input]],
    *,
    max_concurrency: int,
    config: RunnableConfig | None = None,
) -> list[tuple[K, Output | Exception]]:
    """Run `runnable` on every `(id, input)` pair, at most `max_concurrency` at a time.

    Args:
        runnable: The model (or any runnable) to call once per input.
        items: `(id, input)` pairs, e.g. one Spark partition or one Ray batch.
        max_concurrency: Requests in flight from this worker.
        config: Config for every call (tags, callbacks, ...); its `max_concurrency` is
            replaced by the argument.

    Returns:
        `(id, output)` pairs in input order; a failed input's exception (after the
        model's own retries) is its output, so one bad document never fails the rest.

    Raises:
        TypeError: If `max_concurrency` is not an int.
        ValueError: If `max_concurrency` is below 1.
    """
    ids, inputs, run_config = _prepare(items, max_concurrency, config)
    if not inputs:
        return []
    outputs = runnable.batch(inputs, run_config, return_exceptions=True)
    return list(zip(ids, outputs, strict=True))


async def abatch_with_ids(
    runnable: Runnable[Input, Output],
    items: Iterable[tuple[K, Input]],
    *,
    max_concurrency: int,
    config: RunnableConfig | None = None,
) -> list[tuple[K, Output | Exception]]:
    """Async `batch_with_ids`: run `runnable` on every `(id, input)` pair on this loop.

    Args:
        runnable: The model (or any runnable) to call once per input.
        items: `(id, input)` pairs, e.g. one Spark partition or one Ray batch.
        max_concurrency: Requests in flight from this worker.
        config: Config for every call; its `max_concurrency` is replaced by the argument.

    Returns:
        `(id, output)` pairs in input order, a failed input's exception as its output.

    Raises:
        TypeError: If `max_concurrency` is not an int.
        ValueError: If `max_concurrency` is below 1.
    """
    ids, inputs, run_config = _prepare(items, max_concurrency, config)
    if not inputs:
        return []
    outputs = await runnable.abatch(inputs, run_config, return_exceptions=True)
    return list(zip(ids, outputs, strict=True))
