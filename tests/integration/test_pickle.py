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


_PROVIDER_WORKER = textwrap.dedent(
    """
    import pickle, sys
    provider = pickle.loads(sys.stdin.buffer.read())
    print(provider.token())
    """
)


@pytest.mark.parametrize("dumps", ["pickle", "cloudpickle"])
def test_provider_travels_without_its_token_and_refreshes_in_the_worker(
    vertex_emulator_strict, dumps
):
    from langchain_vertex_openai import GoogleCredentialsProvider

    emulator = vertex_emulator_strict
    provider = GoogleCredentialsProvider(emulator.credentials())
    token = provider.token()
    if dumps == "cloudpickle":
        cloudpickle = pytest.importorskip("cloudpickle")
        payload = cloudpickle.dumps(provider)
    else:
        payload = pickle.dumps(provider)
    assert token.encode() not in payload
    assert token.split(".", 1)[1].encode() not in payload
    worker = subprocess.run(
        [sys.executable, "-c", _PROVIDER_WORKER],
        input=payload,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    worker_token = worker.stdout.decode().strip()
    assert worker_token.startswith("ya29.")
    assert worker_token != token
    assert emulator.tokens_issued == 2
    assert provider.token() == token  # this process keeps its own
