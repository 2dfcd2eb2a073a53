"""One model in every process, thread and event loop (over real loopback sockets).

Deployments fork after first use (gunicorn --preload, Celery prefork), run
`asyncio.run` per request, give each worker thread its own loop, and build a model per
request. The model must answer each caller with its own answers, never raise a loop
error, and leak neither sockets nor memory.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import httpx
import httpx2
import pytest

from langchain_vertex_openai import ChatVertexOpenAI, GoogleCredentialsProvider
from langchain_vertex_openai import _pools as pools
from langchain_vertex_openai.testing import EmulatorCredentials

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def make_llm(emulator, **kwargs):
    kwargs.setdefault("credentials", emulator.credentials())
    return ChatVertexOpenAI(model="gemini-3.5-flash", base_url=emulator.base_url, **kwargs)


def fork_and_run(child) -> tuple[int, int]:
    """Fork; the child runs `child()` and writes its JSON result to a pipe. (pid, read fd)."""
    read, write = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process (the emulator's) can deadlock:
        # that is exactly what is under test.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            os.close(read)
            os.write(write, json.dumps(child()).encode())
            code = 0
        except BaseException as error:  # report anything, then leave without pytest
            os.write(write, json.dumps({"error": repr(error)}).encode())
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def child_result(pid: int, read: int, timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    with os.fdopen(read, "rb") as pipe:
        result = json.loads(pipe.read() or b"null")
    assert os.waitstatus_to_exitcode(status) == 0, result
    return result


def repeat(llm, label: str, count: int) -> list[str]:
    return [str(llm.invoke(f"Repeat exactly: {label}{i}").content) for i in range(count)]


# -- fork --------------------------------------------------------------------------------


def test_forked_parent_and_child_each_get_their_own_answers(emulator):
    llm = make_llm(emulator)
    # Pooled keep-alive connections and a cached token exist before the fork.
    assert repeat(llm, "warm", 4) == [f"warm{i}" for i in range(4)]
    pid, read = fork_and_run(lambda: repeat(llm, "child", 12))
    mine = repeat(llm, "parent", 12)
    theirs = child_result(pid, read)
    assert mine == [f"parent{i}" for i in range(12)]
    assert theirs == [f"child{i}" for i in range(12)]


def test_forked_parent_and_child_each_get_their_own_answers_async(emulator):
    llm = make_llm(emulator)
    loop = asyncio.new_event_loop()  # stays open across the fork, with pooled connections

    async def many(label: str) -> list[str]:
        replies = [llm.ainvoke(f"Repeat exactly: {label}{i}") for i in range(20)]
        return [str(reply.content) for reply in await asyncio.gather(*replies)]

    try:
        assert loop.run_until_complete(many("warm")) == [f"warm{i}" for i in range(20)]
        pid, read = fork_and_run(lambda: asyncio.run(many("child")))
        mine = loop.run_until_complete(many("parent"))
        theirs = child_result(pid, read)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    assert mine == [f"parent{i}" for i in range(20)]
    assert theirs == [f"child{i}" for i in range(20)]


class HeldRefresh(EmulatorCredentials):
    """Credentials whose refresh waits (in the parent) until released."""

    def __init__(self, token_url: str) -> None:
        super().__init__(token_url)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.hold = True

    def refresh(self, request):
        if self.hold:
            self.entered.set()
            self.release.wait(10)
        super().refresh(request)


def test_a_child_forked_during_a_refresh_gets_its_own_token(emulator):
    credentials = HeldRefresh(emulator.token_url)
    llm = make_llm(emulator, credentials=credentials)
    refreshing = threading.Thread(target=lambda: llm.invoke("hi"))
    refreshing.start()  # holds the provider's refresh in this (parent) process
    try:
        assert credentials.entered.wait(5)

        def child() -> list[str]:
            credentials.hold = False  # in the child only: its own refresh goes through
            return repeat(llm, "child", 2)

        pid, read = fork_and_run(child)
        assert child_result(pid, read, timeout=20) == ["child0", "child1"]
    finally:
        credentials.release.set()
        refreshing.join(10)
    assert repeat(llm, "parent", 2) == ["parent0", "parent1"]


def test_a_users_http_client_used_across_a_fork_is_warned_about_in_the_child(emulator):
    with httpx2.Client() as mine:
        llm = make_llm(emulator, http_client=mine)
        llm.invoke("hi")

        def child() -> list[str]:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                llm.invoke("hi")
            return [str(w.message) for w in caught]

        pid, read = fork_and_run(child)
        messages = child_result(pid, read)
    assert len(messages) == 1
    assert "os.fork()" in messages[0]
    assert "new httpx2.Client in each child" in messages[0]


def test_after_fork_the_child_builds_new_pools():
    before = pools.sync_client()
    ssl_context = pools._STATE.ssl_context

    def child() -> dict[str, bool]:
        return {
            "new_pool": pools.sync_client() is not before,
            "parent_open": not before.is_closed,
            "same_ssl_context": pools._STATE.ssl_context is ssl_context,  # no CA loading
        }

    pid, read = fork_and_run(child)
    assert child_result(pid, read) == {
        "new_pool": True,
        "parent_open": True,
        "same_ssl_context": True,
    }
    assert pools.sync_client() is before


FORK_DURING_FIRST_CALL = Path(__file__).with_name("fork_during_first_call.py")


def test_forks_during_other_threads_first_calls_never_hang_a_child(emulator):
    # gunicorn --preload with a warm-up thread, Celery prefork, multiprocessing: the fork
    # comes while a thread of a fresh process is in its first invoke / ainvoke (imports,
    # SSL context, platform lookup). 20 forks: before the fix every child forked during
    # those calls hung on a lock held by a thread it did not have.
    forks = 20
    urls = [emulator.base_url, emulator.token_url]
    run = subprocess.run(
        [sys.executable, str(FORK_DURING_FIRST_CALL), *urls, "both", str(forks), "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["parent"] == {"sync": "parent-sync", "async": "parent-async"}
    assert result["during"] >= 1  # the first fork began during the parent's first calls
    hung = result["children"].count(1)
    assert result["children"] == [0] * forks, f"{hung} children hung: {run.stderr[-4000:]}"


def test_after_a_fork_a_first_call_has_nothing_left_to_import(emulator):
    # What keeps a child from hanging on an import lock: the parent imported all of it
    # before the fork. A first call that still imports a module here names the module
    # that `_fork.FIRST_CALL_MODULES` misses (a dependency grew a lazy import).
    script = textwrap.dedent(
        """
        import asyncio, json, os, sys
        from langchain_vertex_openai import ChatVertexOpenAI
        from langchain_vertex_openai.testing import EmulatorCredentials

        def fork():
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)

        fork()  # no model yet: a fork loads nothing
        unused = "openai" not in sys.modules
        llm = ChatVertexOpenAI(
            model="gemini-3.5-flash",
            base_url=sys.argv[1],
            credentials=EmulatorCredentials(sys.argv[2]),
        )
        fork()
        before = set(sys.modules)
        llm.invoke("hi")
        list(llm.stream("hi"))
        asyncio.run(llm.ainvoke("hi"))

        async def astream():
            return [chunk async for chunk in llm.astream("hi")]

        asyncio.run(astream())
        print(json.dumps([unused, sorted(set(sys.modules) - before)]))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script, emulator.base_url, emulator.token_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert json.loads(run.stdout.splitlines()[-1]) == [True, []]


# -- event loops -------------------------------------------------------------------------


def test_five_sequential_asyncio_runs_on_one_model(emulator):
    llm = make_llm(emulator)

    async def stream(prompt: str) -> str:
        return "".join([str(chunk.content) async for chunk in llm.astream(prompt)])

    async def batch(prompts: list[str]) -> list[str]:
        return [str(m.content) for m in await llm.abatch(prompts)]

    async def events(prompt: str) -> str:
        chunks = [
            str(event["data"]["chunk"].content)
            async for event in llm.astream_events(prompt, version="v2")
            if event["event"] == "on_chat_model_stream"
        ]
        return "".join(chunks)

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        for run in range(5):
            assert asyncio.run(llm.ainvoke(f"Repeat exactly: i{run}")).content == f"i{run}"
            assert asyncio.run(stream(f"Repeat exactly: s{run}")) == f"s{run}"
            prompts = [f"Repeat exactly: b{run}-{i}" for i in range(3)]
            assert asyncio.run(batch(prompts)) == [f"b{run}-{i}" for i in range(3)]
            assert asyncio.run(events(f"Repeat exactly: e{run}")) == f"e{run}"
        gc.collect()
    assert emulator.tokens_issued == 1
    assert len(pools._STATE.loop_pools) == 0  # each loop's pool closed with its loop


def test_a_pool_is_closed_with_its_loop_without_resource_warnings(emulator):
    llm = make_llm(emulator)
    seen = []

    async def call() -> None:
        await llm.ainvoke("hi")
        seen.append(pools.loop_pool().client)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(call())
        gc.collect()
    assert seen[0].is_closed
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_a_loop_closed_by_hand_without_shutdown_is_dropped_by_the_next_loop(emulator, caplog):
    llm = make_llm(emulator)
    loop = asyncio.new_event_loop()
    assert loop.run_until_complete(llm.ainvoke("Repeat exactly: a")).content == "a"
    loop.close()  # without loop.shutdown_asyncgens(): its pool could not be closed on it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # its sockets are left to gc
        assert asyncio.run(llm.ainvoke("Repeat exactly: b")).content == "b"
        gc.collect()
    assert loop not in pools._STATE.loop_pools
    assert pools._STATE.loop_pools == {}
    assert [r for r in caplog.records if r.name == "asyncio" and r.levelname == "ERROR"] == []


def test_loop_threads_and_sync_threads_with_the_token_expiring_mid_run(emulator):
    llm = make_llm(emulator)
    assert llm.invoke("Repeat exactly: warm").content == "warm"
    results: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)
    halfway = threading.Barrier(8, action=emulator.expire_all_tokens)

    def loop_worker(name: str) -> None:
        async def run() -> list[str]:
            answers = []
            for i in range(6):
                if i == 3:
                    await asyncio.to_thread(halfway.wait, 20)
                answers.append(str((await llm.ainvoke(f"Repeat exactly: {name}{i}")).content))
            return answers

        start.wait(20)
        results[name] = asyncio.run(run())

    def sync_worker(name: str) -> None:
        start.wait(20)
        answers = []
        for i in range(6):
            if i == 3:
                halfway.wait(20)
            answers.append(str(llm.invoke(f"Repeat exactly: {name}{i}").content))
        results[name] = answers

    def guarded(target, name):
        def run() -> None:
            try:
                target(name)
            except BaseException as error:
                errors.append(error)

        return threading.Thread(target=run)

    threads = [guarded(loop_worker, f"a{n}-") for n in range(4)]
    threads += [guarded(sync_worker, f"s{n}-") for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert results == {
        name: [f"{name}{i}" for i in range(6)]
        for name in [*(f"a{n}-" for n in range(4)), *(f"s{n}-" for n in range(4))]
    }
    assert emulator.tokens_issued == 2  # the expired token was refreshed once for all


@pytest.fixture(scope="module")
def module_model():
    from langchain_vertex_openai.testing import VertexEmulator

    with VertexEmulator() as emulator:
        yield make_llm(emulator)


@pytest.mark.parametrize("turn", range(3))
async def test_a_module_scoped_model_on_per_test_loops(module_model, turn):
    # pytest-asyncio gives each test its own loop; the model outlives them all.
    reply = await module_model.ainvoke(f"Repeat exactly: turn{turn}")
    assert reply.content == f"turn{turn}"


# -- shared pools, many models -----------------------------------------------------------


def test_models_share_one_pool_and_keep_their_own_credentials(emulator):
    first = make_llm(emulator, quota_project="quota-a")
    second = make_llm(emulator, quota_project="quota-b")
    first.invoke("hi")
    second.invoke("hi")
    assert first._get_client()._client is second._get_client()._client
    assert [r.headers.get("x-goog-user-project") for r in emulator.requests] == [
        "quota-a",
        "quota-b",
    ]


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_ten_thousand_models_built_used_and_dropped_leave_fds_and_memory_flat(emulator):
    credentials = emulator.credentials()  # one token for all (as a per-tenant app would)

    async def on_a_loop(llm) -> str:
        return str((await llm.ainvoke("Repeat exactly: a")).content)

    def build_and_use(count: int, loop: asyncio.AbstractEventLoop) -> None:
        for n in range(count):
            llm = make_llm(emulator, credentials=credentials, temperature=n % 7 / 10)
            if n % 100 == 0:  # real calls now and then, sync and async
                assert llm.invoke("Repeat exactly: s").content == "s"
                assert loop.run_until_complete(on_a_loop(llm)) == "a"
            elif n % 5 == 0:  # builds the clients, as a first call does
                llm._get_client()
                if n % 10 == 0:
                    loop.run_until_complete(_clients_on_loop(llm))

    loop = asyncio.new_event_loop()
    try:
        build_and_use(500, loop)  # warm: pools, SSL context, caches
        gc.collect()
        fds, rss = _fds(), _rss_mib()
        build_and_use(10_000, loop)
        gc.collect()
        assert _fds() <= fds + 2
        assert _rss_mib() - rss < 25
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


async def _clients_on_loop(llm) -> None:
    await llm._async_client_off_loop()


def test_close_and_context_managers_release_the_models_own(emulator):
    with make_llm(emulator) as llm:
        assert llm.invoke("Repeat exactly: a").content == "a"
        shared = llm._get_client()._client
    assert llm._clients is None
    assert not shared.is_closed  # the shared pool serves other models
    assert llm.invoke("Repeat exactly: again").content == "again"  # usable after close

    async def use() -> str:
        async with make_llm(emulator) as model:
            return str((await model.ainvoke("Repeat exactly: b")).content)

    assert asyncio.run(use()) == "b"


def test_a_users_http_client_is_used_and_left_open(emulator):
    with httpx2.Client() as mine:
        llm = make_llm(emulator, http_client=mine)
        assert llm.invoke("Repeat exactly: a").content == "a"
        assert llm._get_client()._client is mine
        llm.close()
        assert not mine.is_closed


@pytest.mark.parametrize(
    ("field", "client"),
    [("http_client", httpx.Client), ("http_async_client", httpx.AsyncClient)],
)
def test_a_classic_httpx_client_is_refused_naming_httpx2(emulator, field, client):
    classic = client()  # no request is made: nothing to close
    with pytest.raises(ValueError, match=r"httpx2\.") as info:
        make_llm(emulator, **{field: classic})
    assert "httpx.Client" in str(info.value) or "httpx.AsyncClient" in str(info.value)


def test_an_async_client_passed_as_the_sync_one_is_refused(emulator):
    with pytest.raises(ValueError, match=r"httpx2\.Client"):
        make_llm(emulator, http_client=httpx2.AsyncClient())


def test_a_provider_after_fork_has_a_new_lock_and_session():
    provider = GoogleCredentialsProvider(EmulatorCredentials("http://127.0.0.1:9/token"))
    provider._lock.acquire()  # as if a parent thread were refreshing at fork time
    try:

        def child() -> bool:
            return provider._lock.acquire(timeout=1)

        pid, read = fork_and_run(child)
        assert child_result(pid, read) is True
    finally:
        provider._lock.release()


def test_a_new_models_first_call_opens_no_new_ssl_context(emulator, monkeypatch):
    make_llm(emulator).invoke("hi")  # the process's pool and SSL context exist now
    made = []
    real = httpx2.create_ssl_context
    monkeypatch.setattr(httpx2, "create_ssl_context", lambda *a, **k: made.append(1) or real())
    for n in range(3):
        assert make_llm(emulator).invoke(f"Repeat exactly: m{n}").content == f"m{n}"
        assert asyncio.run(make_llm(emulator).ainvoke("Repeat exactly: a")).content == "a"
    assert made == []


def test_a_users_async_client_on_a_second_loop_gets_an_error_naming_the_fix(emulator):
    # A user's AsyncClient keeps connections made on its first loop; on a second loop
    # they fail with a bare "Event loop is closed" (or worse, if that loop still runs).
    first = asyncio.new_event_loop()
    mine = httpx2.AsyncClient()
    llm = make_llm(emulator, http_async_client=mine, max_retries=0)

    async def stream() -> str:
        return "".join([str(chunk.content) async for chunk in llm.astream("hi")])

    try:
        assert first.run_until_complete(llm.ainvoke("Repeat exactly: a")).content == "a"
        for on_another_loop in (llm.ainvoke("hi"), stream()):
            with pytest.raises(RuntimeError, match="http_async_client") as info:
                asyncio.run(on_another_loop)
            assert "Event loop is closed" not in str(info.value)
        llm.close()  # forgets the model's SDK client, not the loop the user's client is on
        with pytest.raises(RuntimeError, match="http_async_client"):
            asyncio.run(llm.ainvoke("hi"))
        assert first.run_until_complete(llm.ainvoke("Repeat exactly: b")).content == "b"
        assert not mine.is_closed  # still the user's
    finally:
        first.run_until_complete(mine.aclose())
        first.close()


def test_a_slow_credentials_lookup_holds_up_no_other_models_first_call(emulator, monkeypatch):
    import google.auth
    from google.auth import exceptions as google_errors

    looking = threading.Event()

    def slow_default(*args, **kwargs):
        looking.set()
        time.sleep(3)  # as google-auth probing a metadata server that does not answer
        raise google_errors.DefaultCredentialsError("no credentials in this test")

    monkeypatch.setattr(google.auth, "default", slow_default)
    for name in ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    from_adc = ChatVertexOpenAI(model="gemini-3.5-flash")  # its project comes from ADC
    outcome: list[BaseException] = []

    def first_call() -> None:
        try:
            from_adc.invoke("hi")
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=first_call)
    thread.start()
    try:
        assert looking.wait(10)
        started = time.monotonic()
        assert make_llm(emulator).invoke("Repeat exactly: b").content == "b"
        assert time.monotonic() - started < 2  # not behind the other model's lookup
    finally:
        thread.join(10)
    assert len(outcome) == 1 and "no credentials in this test" in str(outcome[0])
