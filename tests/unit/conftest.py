"""Unit tests run without network: any socket but a Unix one fails the test.

Whatever needs the emulator or another loopback server belongs in `tests/integration`.
Unix sockets stay allowed (`--allow-unix-socket` in the pytest options): asyncio's event
loops wake themselves through a socketpair.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_UNIT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(item.path).resolve().is_relative_to(_UNIT):
            item.add_marker(pytest.mark.disable_socket)
