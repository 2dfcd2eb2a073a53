"""Scale-out: the model pickles without live clients, locks or tokens and works in
another process (as on a Ray or Spark worker)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pytest

from langchain_vertex_openai import ChatVertexOpenAI

_WORKER = textwrap.dedent(
    """
    import pickle, sys
    llm = pickle.loads(sys.stdin.buffer.read())
    print(llm.invoke("Repeat exactly: from the worker").content)
    """
)


@pytest.mark.parametrize("dumps", ["pickle", "cloudpickle"])
def test_model_round_trips_into_another_process(vertex_emulator_strict, dumps):
    emulator = vertex_emulator_strict
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=emulator.base_url, credentials=emulator.credentials()
    )
    llm.invoke("warm up")  # live clients, a lock and a cached token now exist
    token = llm.credentials.token
    assert token
    if dumps == "cloudpickle":
        cloudpickle = pytest.importorskip("cloudpickle")
        payload = cloudpickle.dumps(llm)
    else:
        payload = pickle.dumps(llm)
    assert token.encode() not in payload
    worker = subprocess.run(
        [sys.executable, "-c", _WORKER], input=payload, capture_output=True, timeout=60, check=False
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    assert worker.stdout.decode().strip() == "from the worker"
    assert emulator.tokens_issued == 2  # the worker refreshed its own token
    assert llm.invoke("Repeat exactly: still here").content == "still here"
