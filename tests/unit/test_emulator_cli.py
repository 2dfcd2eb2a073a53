"""The emulator's command line binds beyond loopback only when told to, and then says so.

Pure: nothing is bound (the emulator class is replaced before it could be).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from langchain_vertex_openai.testing import __main__ as cli
from langchain_vertex_openai.testing import server


class Bound(Exception):
    """Raised where the real emulator would bind."""


@pytest.fixture
def hosts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def fake_emulator(**kwargs: Any) -> None:
        seen.append(kwargs["host"])
        raise Bound

    monkeypatch.setattr(server, "VertexEmulator", fake_emulator)
    return seen


@pytest.mark.parametrize(
    "host", ["", "0.0.0.0", "::", "10.1.2.3", "emulator.example", "::ffff:a00:1"]
)
def test_a_host_beyond_loopback_is_refused_without_allow_remote(
    host: str, hosts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--host", host, "--port", "0"])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert hosts == []  # refused before anything is bound
    assert "token" not in out
    assert f"--host {host!r} is reachable beyond this machine" in err
    assert "--allow-remote" in err


@pytest.mark.parametrize("host", ["", "0.0.0.0", "10.1.2.3"])
def test_allow_remote_binds_and_warns_loudly_first(
    host: str, hosts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(Bound):
        cli.main(["--host", host, "--port", "0", "--allow-remote"])
    assert hosts == [host]
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("!" * 78)
    assert "WARNING: the Vertex AI emulator listens on" in err
    assert "plain http" in err
    assert "allow_insecure_http=True" in err
    if host in ("", "0.0.0.0"):
        assert "EVERY network interface" in err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_hosts_need_no_flag_and_print_no_warning(
    host: str, hosts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(Bound):
        cli.main(["--host", host, "--port", "0"])
    assert hosts == [host]
    assert capsys.readouterr().err == ""


def test_python_dash_m_refuses_every_interface_before_printing_a_token() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "langchain_vertex_openai.testing", "--host", "", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--allow-remote" in done.stderr
    assert "ya29." not in done.stderr
