"""Shared by every test: each test starts with no warning given yet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_vertex_openai._warnings import forget_warnings


@pytest.fixture(autouse=True)
def _warnings_given_afresh() -> Iterator[None]:
    # Warn-once state is per process: without this, whether a test sees a warning would
    # depend on which tests ran before it.
    forget_warnings()
    yield
    forget_warnings()
