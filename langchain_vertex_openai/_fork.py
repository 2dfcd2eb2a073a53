"""A fork must not cut a model's first call short in another thread.

A model's first call imports `openai` and the rest of what a call needs (half a second),
asks `platform` about the OS (the SDK's headers) and loads CA certificates into an SSL
context (OpenSSL). A thread doing that holds locks while it does: each module's import
lock, the lock of `platform.uname()`'s cached `processor` (Python 3.11), OpenSSL's own. A
fork at that moment gives the child those locks still held, by a thread it does not have:
its own first call waits for them forever. Python renews only its global import lock
around a fork, not the per-module ones (gunicorn `--preload` with a warm-up thread,
Celery prefork and `multiprocessing` forking while a thread calls the model all hit it).

So once a model has been built, the parent finishes that work before each fork: it
imports what the first call imports (waiting for a thread that is importing it now), asks
`platform` (waiting likewise), and `_pools` waits for an SSL context being made and hands
it to the child. After the first such fork this costs a few dictionary lookups.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

FIRST_CALL_MODULES = (
    # Ours, imported on the first call: `openai`, `httpx2` and the pools come with them.
    "langchain_vertex_openai._clients",
    "langchain_vertex_openai._errors",
    "langchain_vertex_openai._warnings",
    # google-auth's token transport (`requests`), and the credentials ADC resolves to.
    "google.auth.transport.requests",
    "google.auth.compute_engine",
    "google.oauth2.credentials",
    "google.oauth2.service_account",
    "netrc",  # `requests` reads ~/.netrc on each request
    # What langchain-core imports on any chat model's first call (callbacks, tracing).
    "langsmith.run_helpers",
    "langchain_core.tracers.context",
    "langchain_core.tracers.stdout",
    "langchain_core.messages.block_translators.langchain_v0",
    "langchain_core.utils.json",
    # anyio loads its asyncio backend on a loop's first connection.
    "anyio._backends._asyncio",
)
"""What a model's first call imports that building the model did not (checked by a test)."""

_model_in_use = False


def model_in_use() -> None:
    """From now on, a fork finishes the first-call work of this process's threads first."""
    global _model_in_use  # noqa: PLW0603 -- one flag for the process
    _model_in_use = True


def finish_first_call_work() -> None:
    """Do, in this thread, what a model's first call does that holds a lock for a while.

    Whatever another thread is in the middle of (an import, the `platform` lookup, the
    SSL context), this waits for it; what no thread has done yet, this does, so a child
    forked next needs none of those locks.
    """
    import platform  # here: importing it costs a few ms, and most processes never fork

    for name in FIRST_CALL_MODULES:
        with contextlib.suppress(ImportError):  # an optional module, or a renamed one
            importlib.import_module(name)
    platform.platform()  # unpacks uname(), `processor` (a `uname -p` subprocess) included
    pools = sys.modules.get("langchain_vertex_openai._pools")  # imported with `_clients`
    if pools is not None:
        pools.hold_for_fork()


def _before_fork() -> None:
    if _model_in_use:
        finish_first_call_work()


os.register_at_fork(before=_before_fork)
