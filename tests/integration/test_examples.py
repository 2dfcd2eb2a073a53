"""The examples run offline with one command each (against the bundled emulator)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(name: str) -> str:
    env = {**os.environ, "VERTEX_EXAMPLES_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "using the bundled Vertex emulator" in done.stdout
    return done.stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("demo.py", ["Hello from Gemini", "['one', 'two']", "get_weather: It is sunny"]),
        ("agent.py", ["Sunny, 21°C in Paris", "get_population: 2100000", "3 tool-call turns"]),
        ("extraction.py", ['ada.txt: {"name":"Ada Lovelace"', 'grace.txt: {"name":"Grace Hopper"']),
        ("multimodal.py", ["received"]),
    ],
)
def test_example_runs_offline(name, expected):
    output = _run(name)
    for text in expected:
        assert text in output
