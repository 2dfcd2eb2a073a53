"""Shared by every test: warnings given afresh, the shared HTTP client closed at the end.

Helpers to import (model builders, chunk merging, raw requests) are in `tests/helpers.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_vertex_openai._warnings import forget_warnings
from tests.helpers import close_http


@pytest.fixture(autouse=True)
def _warnings_given_afresh() -> Iterator[None]:
    # Warn-once state is per process: without this, whether a test sees a warning would
    # depend on which tests ran before it.
    forget_warnings()
    yield
    forget_warnings()


@pytest.fixture(autouse=True, scope="session")
def _shared_http_client_closed() -> Iterator[None]:
    yield
    close_http()
