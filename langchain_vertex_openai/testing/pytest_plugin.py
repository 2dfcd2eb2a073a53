"""Pytest plugin: fixtures that start a local Vertex AI emulator.

Registered through the ``pytest11`` entry point, so it is loaded by every pytest run in an
environment where the package is installed. It must therefore import nothing heavy: the
emulator itself is imported lazily inside the fixtures.

Fixtures (function scope unless named otherwise):
    vertex_emulator: an emulator in default mode (unsupported request fields are ignored,
        as Vertex does).
    vertex_emulator_strict: an emulator in strict mode (fields Vertex silently ignores are
        rejected with a 400, so a client that relies on them fails loudly).
    vertex_emulator_module, vertex_emulator_session: one default-mode emulator shared by a
        module or the whole session, for module- or session-scoped fixtures of your own.
        Queued items and recorded requests are shared too: call ``reset()`` where it matters.

For other scopes or options, build a fixture with :func:`emulator_fixture`::

    strict_emulator = emulator_fixture(scope="module", strict=True, location="us")

At teardown every fixture calls :meth:`VertexEmulator.verify`: a bug inside the emulator
(answered to the client as a 500 with the traceback) is re-raised, and queued answers or
faults that no request used fail the test. Opt out of the latter with
``emulator.expect_all_consumed = False`` or ``@pytest.mark.vertex_emulator_unconsumed_ok``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    from langchain_vertex_openai.testing.server import VertexEmulator

Scope = Literal["function", "class", "module", "package", "session"]

#: Marks a test whose queued emulator items may stay unused.
UNCONSUMED_OK = "vertex_emulator_unconsumed_ok"


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{UNCONSUMED_OK}: queued Vertex emulator answers may stay unused in this test",
    )


def _serve(request: pytest.FixtureRequest, options: dict[str, Any]) -> Iterator[VertexEmulator]:
    from langchain_vertex_openai.testing.server import VertexEmulator

    with VertexEmulator(**options) as emulator:
        yield emulator
        marked = request.node.get_closest_marker(UNCONSUMED_OK) is not None
        emulator.verify(all_consumed=emulator.expect_all_consumed and not marked)


def emulator_fixture(
    *, scope: Scope = "function", name: str | None = None, **options: Any
) -> Callable[..., Iterator[VertexEmulator]]:
    """Build a pytest fixture serving a :class:`VertexEmulator` with ``options``.

    Args:
        scope: The fixture's pytest scope.
        name: The fixture name (default: the name it is assigned to).
        **options: Keyword arguments of :class:`VertexEmulator` (``strict=True`` ...).

    Returns:
        The fixture function; assign it to a module-level name in a test module or
        ``conftest.py``.
    """

    def fixture(request: pytest.FixtureRequest) -> Iterator[VertexEmulator]:
        yield from _serve(request, options)

    fixture.__doc__ = f"A running {scope}-scoped Vertex emulator ({options or 'defaults'})."
    return pytest.fixture(scope=scope, name=name)(fixture)


@pytest.fixture
def vertex_emulator(request: pytest.FixtureRequest) -> Iterator[VertexEmulator]:
    """A running emulator in default mode (what Vertex does), stopped after the test.

    Yields:
        The started :class:`VertexEmulator`.
    """
    yield from _serve(request, {"strict": False})


@pytest.fixture
def vertex_emulator_strict(request: pytest.FixtureRequest) -> Iterator[VertexEmulator]:
    """A running emulator in strict mode, stopped after the test.

    Yields:
        The started :class:`VertexEmulator` with ``strict=True``.
    """
    yield from _serve(request, {"strict": True})


@pytest.fixture(scope="module")
def vertex_emulator_module(request: pytest.FixtureRequest) -> Iterator[VertexEmulator]:
    """A default-mode emulator shared by the tests of a module.

    Yields:
        The started :class:`VertexEmulator`.
    """
    yield from _serve(request, {"strict": False})


@pytest.fixture(scope="session")
def vertex_emulator_session(request: pytest.FixtureRequest) -> Iterator[VertexEmulator]:
    """A default-mode emulator shared by the whole test session.

    Yields:
        The started :class:`VertexEmulator`.
    """
    yield from _serve(request, {"strict": False})
