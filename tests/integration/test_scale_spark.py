"""Spark (``local[2]``) against the emulator: the README's "Scale-out" recipes, for real.

Python workers are separate processes started by the JVM: ``PYSPARK_PYTHON`` names their
interpreter and ``spark.executorEnv.*`` gives them
``GOOGLE_APPLICATION_CREDENTIALS`` (a service-account file whose token endpoint is the
emulator's) and the path to the worker-side module.
"""

from __future__ import annotations

import functools
import os
import pickle
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexBadRequestError, VertexRateLimitError
from langchain_vertex_openai.testing import VertexEmulator
from tests.integration import scale_jobs

pytest.importorskip("pyspark", reason="the scale extra is not installed")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17+ (java on PATH or JAVA_HOME)", allow_module_level=True)
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from pyspark.errors import PythonException  # noqa: E402
from pyspark.serializers import CloudPickleSerializer  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.functions import pandas_udf  # noqa: E402

pytestmark = pytest.mark.scale

ROOT = str(Path(__file__).parents[2])
DOCS = [f"doc-{n:03d}" for n in range(240)]


@pytest.fixture(scope="module")
def adc_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The workers' key file path (rewritten for each test's emulator) and its key."""
    return str(tmp_path_factory.mktemp("adc") / "key.json"), scale_jobs.new_private_key_pem()


@pytest.fixture(scope="module")
def spark(adc_file: tuple[str, str]) -> Iterator[SparkSession]:
    # A SparkSession started from Python reads its workers' interpreter from the
    # environment (`spark.pyspark.python` is for spark-submit).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        yield from _session(adc_file)


def _session(adc_file: tuple[str, str]) -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("langchain-vertex-openai-scale-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        # Jobs this short gain nothing from the JIT's second tier: it halves the start-up.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.executorEnv.GOOGLE_APPLICATION_CREDENTIALS", adc_file[0])
        .config("spark.executorEnv.PYTHONPATH", ROOT)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture
def emulator(spark: SparkSession, adc_file: tuple[str, str]) -> Iterator[VertexEmulator]:
    # A new emulator (so a new URL, so new worker models) per test: counts start at zero.
    with VertexEmulator(strict=True) as emulator:
        scale_jobs.write_adc_file(adc_file[0], emulator, adc_file[1])
        yield emulator


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every command (function and closure) the driver pickles for its Python workers."""
    captured: list[bytes] = []
    dumps = CloudPickleSerializer.dumps

    def recording_dumps(self: CloudPickleSerializer, obj: Any) -> bytes:
        data: bytes = dumps(self, obj)
        captured.append(data)
        return data

    monkeypatch.setattr(CloudPickleSerializer, "dumps", recording_dumps)
    return captured


def test_map_partitions(
    spark: SparkSession, emulator: VertexEmulator, shipped: list[bytes], adc_file: tuple[str, str]
) -> None:
    # Six partitions on two workers: each worker's model serves several tasks.
    rdd = spark.sparkContext.parallelize(DOCS, 6)
    records = rdd.mapPartitions(
        functools.partial(scale_jobs.answer_partition, emulator.base_url)
    ).collect()
    scale_jobs.check_run(records, DOCS, emulator)
    scale_jobs.check_shipped(shipped, emulator, adc_file[1])


def test_pandas_udf(
    spark: SparkSession, emulator: VertexEmulator, shipped: list[bytes], adc_file: tuple[str, str]
) -> None:
    base_url = emulator.base_url

    @pandas_udf("id string, answer string, pid long, model long, client long")
    def answer(doc_ids: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(scale_jobs.answer(base_url, doc_ids.tolist()))

    frame = spark.createDataFrame([(doc_id,) for doc_id in DOCS], "id string")
    rows = frame.select(answer("id").alias("r")).select("r.*").collect()
    scale_jobs.check_run([row.asDict() for row in rows], DOCS, emulator)
    scale_jobs.check_shipped(shipped, emulator, adc_file[1])


def test_a_key_in_the_closure_is_shipped(
    spark: SparkSession, emulator: VertexEmulator, shipped: list[bytes], adc_file: tuple[str, str]
) -> None:
    # The control for check_shipped: key credentials in the closure travel in every task.
    from google.oauth2 import service_account

    credentials = service_account.Credentials.from_service_account_file(adc_file[0])
    rdd = spark.sparkContext.parallelize([1], 1)
    assert rdd.map(lambda _: type(credentials).__name__).collect() == ["Credentials"]
    with pytest.raises(AssertionError):
        scale_jobs.check_shipped(shipped, emulator, adc_file[1])


def test_a_model_in_the_closure_builds_a_client_per_task(
    spark: SparkSession, emulator: VertexEmulator
) -> None:
    # Why the recipes build the model in an imported module: Spark unpickles a closure
    # (and the model in it) for every task, though its two workers are reused.
    llm = ChatVertexOpenAI(model=scale_jobs.MODEL, base_url=emulator.base_url)
    rdd = spark.sparkContext.parallelize(DOCS[:8], 4)
    answers = rdd.map(lambda doc_id: scale_jobs.invoke_with(llm, doc_id)).collect()
    assert answers == DOCS[:8]
    assert emulator.tokens_issued == 4


def test_worker_errors_reach_the_driver_as_vertex_errors(
    spark: SparkSession, emulator: VertexEmulator
) -> None:
    # Spark returns a raised error as text only: errors travel back as data, per document.
    emulator.queue_error(429)
    emulator.queue_error(400, "Invalid argument.")
    rdd = spark.sparkContext.parallelize(DOCS[:6], 1)
    records = rdd.mapPartitions(
        functools.partial(scale_jobs.answer, emulator.base_url, max_retries=0)
    ).collect()
    errors = sorted(type(r["answer"]).__name__ for r in records if r["id"] != r["answer"])
    assert errors == [VertexBadRequestError.__name__, VertexRateLimitError.__name__]
    for record in records:
        if isinstance(record["answer"], Exception):
            assert b"ya29." not in pickle.dumps(record["answer"])
        else:
            assert record["answer"] == record["id"]
    assert os.getpid() not in {record["pid"] for record in records}

    # Raised in a task instead, the error reaches the driver as text in a PythonException.
    emulator.queue_error(429)
    one = spark.sparkContext.parallelize(["doc-x"], 1)
    with pytest.raises(PythonException, match="VertexRateLimitError") as raised:
        one.map(functools.partial(scale_jobs.invoke_one, emulator.base_url)).collect()
    assert not isinstance(raised.value, VertexRateLimitError)
