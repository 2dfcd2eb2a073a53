"""The unit suite really runs without network (tests/unit/conftest.py)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from pytest_socket import SocketBlockedError


@pytest.mark.filterwarnings("ignore:A test tried to use socket")  # pytest-socket also warns
def test_inet_sockets_are_refused():
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_event_loops_still_work():
    # asyncio's self-pipe is a Unix socketpair, which stays allowed.
    assert asyncio.run(asyncio.sleep(0, result="ok")) == "ok"
