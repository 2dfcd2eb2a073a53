"""Recorded requests keep what was sent for tests to check, and show no credential.

Pytest prints `emulator.requests` and `emulator.last_request` when an assertion about
them fails, so their repr must not carry the bearer token or an API key.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx2

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.testing import VertexEmulator

API_KEY = "AIzaSyFAKE-recorded-key-0123456789abcd"


def test_recorded_requests_hide_the_bearer_token_but_keep_it_for_tests(
    emulator: VertexEmulator,
) -> None:
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=emulator.base_url, credentials=emulator.credentials()
    )
    assert llm.invoke("Repeat exactly: hi").content == "hi"
    token = llm.credentials.token
    last = emulator.last_request
    assert last is not None
    assert last.headers["authorization"] == f"Bearer {token}"  # still there for assertions
    assert last.headers == dict(last.headers)  # and compares as a dict
    for text in (repr(emulator.requests), repr(last), str(last), repr(last.headers)):
        assert token not in text
        assert token.removeprefix("ya29.") not in text
        assert "'authorization': '<hidden>'" in text
        assert "'content-type': 'application/json'" in text  # the rest stays readable
    assert "/chat/completions" in repr(last)


def test_recorded_api_keys_are_hidden_in_headers_and_query(emulator: VertexEmulator) -> None:
    url = f"{emulator.base_url}/chat/completions"
    body = {"model": "google/gemini-3.5-flash", "messages": [{"role": "user", "content": "x"}]}
    with httpx2.Client() as client:
        by_header = client.post(url, json=body, headers={"x-goog-api-key": API_KEY})
        by_query = client.post(url, params={"key": API_KEY, "alt": "json"}, json=body)
    assert by_header.status_code == by_query.status_code == 401  # API keys are refused
    header_request, query_request = emulator.requests[-2:]
    assert header_request.headers["x-goog-api-key"] == API_KEY
    assert f"key={API_KEY}" in query_request.path
    for text in (repr(emulator.requests), repr(header_request), repr(query_request)):
        assert API_KEY not in text
    assert "key=<hidden>&alt=json" in repr(query_request)


_FAILING_TESTS = textwrap.dedent(
    """
    import os, pathlib
    import pytest
    from langchain_vertex_openai import ChatVertexOpenAI

    @pytest.fixture(scope="module")
    def emulator(vertex_emulator_module):
        llm = ChatVertexOpenAI(
            model="gemini-3.5-flash",
            base_url=vertex_emulator_module.base_url,
            credentials=vertex_emulator_module.credentials(),
        )
        llm.invoke("hi")
        pathlib.Path(os.environ["TOKEN_FILE"]).write_text(llm.credentials.token)
        return vertex_emulator_module

    def test_requests(emulator):
        assert emulator.requests == []

    def test_headers(emulator):
        assert emulator.last_request.headers == {"authorization": "Bearer other"}

    def test_request(emulator):
        assert emulator.last_request is None
    """
)


def test_pytest_failure_output_on_recorded_requests_hides_the_token(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(_FAILING_TESTS)
    token_file = tmp_path / "token"
    run = subprocess.run(
        # Only the emulator's plugin (what the user's run has), without the other plugins'
        # start-up cost.
        [sys.executable, "-m", "pytest", "-vv", "-p", "no:cacheprovider",
         "-p", "langchain_vertex_openai.testing.pytest_plugin", str(tmp_path / "test_inner.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "TOKEN_FILE": str(token_file), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        check=False,
    )  # fmt: skip
    assert "3 failed" in run.stdout, run.stdout[-3000:]
    token = token_file.read_text()
    assert token.startswith("ya29.")
    output = run.stdout + run.stderr
    assert token not in output
    assert token.removeprefix("ya29.") not in output
    assert "'authorization': '<hidden>'" in output
