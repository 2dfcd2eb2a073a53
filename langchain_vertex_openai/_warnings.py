"""One warn-once helper whose warnings point at the user's line, not at ours.

A warning about a setting is only useful where the setting was written. The call that
triggers it passes through this package, pydantic (model construction) and langchain-core
(`invoke`, `stream`, runnables), so a fixed `stacklevel` would blame whichever of those
frames it happens to land on. Instead the frames of those packages are skipped, and the
warning is attributed to the first frame outside them.

An async call runs in a task langchain-core starts, whose frames lead back to the event
loop, not to the coroutine that awaited it: asyncio's own frames are skipped too, so the
warning names the line that runs the loop (`asyncio.run(main())`) rather than asyncio.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import warnings
from collections.abc import Hashable
from pathlib import Path
from types import FrameType

import langchain_core
import pydantic

_SKIPPED = (
    sys.modules[__package__ or "langchain_vertex_openai"],
    langchain_core,
    pydantic,
    asyncio,
)
_INTERNAL = tuple(
    str(Path(module.__file__).resolve().parent) + os.sep for module in _SKIPPED if module.__file__
)
_LOCK = threading.Lock()
_warned: set[Hashable] = set()
# A child forked while a parent thread warns would find the lock held by a thread it lacks.
os.register_at_fork(after_in_child=_LOCK._at_fork_reinit)  # type: ignore[attr-defined]


def _is_internal(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    if filename.startswith("<"):  # <frozen importlib...> is Python's; <string>, <stdin> users'
        return filename.startswith("<frozen")
    try:
        return str(Path(filename).resolve()).startswith(_INTERNAL)
    except (OSError, ValueError):
        return False


def _user_stacklevel() -> int:
    """The `stacklevel` that makes `warnings.warn`, called by our caller, blame the user."""
    frame: FrameType | None = sys._getframe(1)  # the function calling warnings.warn
    level = 1
    while frame is not None and _is_internal(frame):
        frame = frame.f_back
        level += 1
    return level


def warn_once(
    message: str, *, key: Hashable | None = None, category: type[Warning] = UserWarning
) -> None:
    """Warn once per process (per `key`, default the message), on the user's line.

    Args:
        message: The warning text; it names what was dropped and the fix.
        key: What "once" is about (e.g. a parameter name); default: the message.
        category: The warning class.
    """
    seen = message if key is None else key
    with _LOCK:
        if seen in _warned:
            return
        _warned.add(seen)
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def forget_warnings() -> None:
    """Let every warning be given again (tests use this to stay independent)."""
    with _LOCK:
        _warned.clear()
