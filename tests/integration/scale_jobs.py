"""Worker-side code for the Ray and Spark tests, imported by the workers (not by value).

Ray and Spark pickle functions of an importable module by reference, so this module's
cache lives once per worker process: that is what gives one model, one client and one
token per process (a function pickled by value is unpickled again for every Spark task).
The model has no credentials argument: the workers find application-default credentials
through ``GOOGLE_APPLICATION_CREDENTIALS``, as on a real cluster.

Also holds the driver-side checks shared by both engines' tests.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.scale import abatch_with_ids, batch_with_ids
from langchain_vertex_openai.testing import VertexEmulator

MODEL = "gemini-3.5-flash"
CONCURRENCY = 8
_REPEATED = re.compile(r"Repeat exactly: ([\w.-]+)")


@functools.cache
def worker_llm(base_url: str, max_retries: int = 2) -> ChatVertexOpenAI:
    """This process's model for one emulator (application-default credentials)."""
    return ChatVertexOpenAI(model=MODEL, base_url=base_url, max_retries=max_retries)


def prompt(doc_id: str) -> str:
    return f"Repeat exactly: {doc_id}"


def _record(llm: ChatVertexOpenAI, doc_id: str, output: Any) -> dict[str, Any]:
    answer = output if isinstance(output, Exception) else output.content
    return {
        "id": doc_id,
        "answer": answer,
        "pid": os.getpid(),
        "model": id(llm),
        "client": id(llm._get_client()),
    }


def answer(base_url: str, doc_ids: Iterable[str], max_retries: int = 2) -> list[dict[str, Any]]:
    """Answer a chunk of documents with `batch` (Ray tasks and actors, Spark partitions)."""
    llm = worker_llm(base_url, max_retries)
    items = [(doc_id, prompt(doc_id)) for doc_id in doc_ids]
    results = batch_with_ids(llm, items, max_concurrency=CONCURRENCY)
    return [_record(llm, doc_id, output) for doc_id, output in results]


def answer_async(base_url: str, doc_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Answer a chunk with `abatch` on a new event loop (each Ray task runs its own)."""
    llm = worker_llm(base_url)
    items = [(doc_id, prompt(doc_id)) for doc_id in doc_ids]
    results = asyncio.run(abatch_with_ids(llm, items, max_concurrency=CONCURRENCY))
    return [_record(llm, doc_id, output) for doc_id, output in results]


def answer_partition(base_url: str, rows: Iterator[str]) -> Iterator[dict[str, Any]]:
    """Spark `mapPartitions`: the whole partition in one batch."""
    yield from answer(base_url, rows)


def answer_or_raise(base_url: str, doc_ids: list[str]) -> list[str]:
    """A chunk that fails as a whole on any error (no client retries): for engine retries."""
    llm = worker_llm(base_url, 0)
    outputs = llm.batch([prompt(doc_id) for doc_id in doc_ids], {"max_concurrency": CONCURRENCY})
    return [str(output.content) for output in outputs]


def invoke_one(base_url: str, doc_id: str) -> str:
    """One document with no retries, raising on failure (for the error tests)."""
    return str(worker_llm(base_url, 0).invoke(prompt(doc_id)).content)


def invoke_with(llm: ChatVertexOpenAI, doc_id: str) -> str:
    """One document on a model the driver shipped (the per-task anti-pattern)."""
    return str(llm.invoke(prompt(doc_id)).content)


class Answerer:
    """A Ray actor (or Ray Data callable class): one model for its lifetime."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        records = answer(self.base_url, [str(doc_id) for doc_id in batch["id"]])
        return {key: [record[key] for record in records] for key in records[0]}

    def answer(self, doc_ids: list[str]) -> list[dict[str, Any]]:
        return answer(self.base_url, doc_ids)


def answer_batch(batch: dict[str, Any], base_url: str) -> dict[str, list[Any]]:
    """Ray Data `map_batches` with a function: columns in, columns out."""
    return Answerer(base_url)(batch)


# -- driver-side checks ---------------------------------------------------------------------


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def write_adc_file(path: str, emulator: VertexEmulator, private_key_pem: str) -> None:
    """A service-account key file whose token endpoint is the emulator's."""
    info = {
        "type": "service_account",
        "project_id": emulator.project,
        "private_key_id": "scale-test",
        "private_key": private_key_pem,
        "client_email": "scale-test@emulator-project.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": emulator.token_url,
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(info, file)


def check_run(records: list[dict[str, Any]], doc_ids: list[str], emulator: VertexEmulator) -> None:
    """Every document once and right; one model, client and token per worker process."""
    assert Counter(record["id"] for record in records) == Counter(doc_ids)
    wrong = [record for record in records if record["answer"] != record["id"]]
    assert not wrong, wrong[:3]
    pids = {record["pid"] for record in records}
    assert os.getpid() not in pids  # the work ran in the workers
    for key in ("model", "client"):
        per_pid = {(record["pid"], record[key]) for record in records}
        assert len(per_pid) == len(pids), f"more than one {key} in a worker process"
    pid_of = {record["id"]: record["pid"] for record in records}
    tokens_by_pid: dict[int, set[str]] = {}
    for request in emulator.chat_requests:
        match = _REPEATED.search(json.dumps(request.body["messages"]))
        assert match is not None
        doc_pid = pid_of[match.group(1)]
        tokens_by_pid.setdefault(doc_pid, set()).add(request.headers["authorization"])
    assert len(emulator.chat_requests) == len(doc_ids)
    assert all(len(tokens) == 1 for tokens in tokens_by_pid.values()), tokens_by_pid
    assert emulator.tokens_issued == len(pids)  # one refresh per worker process


def check_shipped(shipped: list[bytes], emulator: VertexEmulator, private_key_pem: str) -> None:
    """No token and no piece of the private key in any bytes the driver shipped."""
    assert shipped, "nothing was captured: the check would pass vacuously"
    key_lines = [line for line in private_key_pem.splitlines() if "PRIVATE KEY" not in line]
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    exponent = key.private_numbers().d.to_bytes(256, "big")[:32]  # as DER would carry it
    tokens = {r.headers["authorization"].split()[1] for r in emulator.chat_requests}
    for blob in shipped:
        assert b"ya29." not in blob
        assert b"PRIVATE KEY" not in blob
        assert exponent not in blob
        assert not any(line.encode() in blob for line in key_lines)
        assert not any(token.encode() in blob for token in tokens)
