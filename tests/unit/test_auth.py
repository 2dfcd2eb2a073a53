"""Unit tests for the Google credential provider (no sockets, fake google-auth credentials)."""

from __future__ import annotations

import asyncio
import logging
import pickle
import threading
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import google.auth
import google.auth.api_key
import httpx2
import openai
import pytest
from google.auth import credentials as gcreds
from google.auth import exceptions as gexc
from langchain_core.exceptions import ModelAuthenticationError

from langchain_vertex_openai import auth
from langchain_vertex_openai.auth import (
    CLOUD_PLATFORM_SCOPE,
    PLACEHOLDER_API_KEY,
    GoogleCredentialsProvider,
    VertexAuthError,
    reject_api_key,
)

SECRET_TOKEN = "ya29.SECRETsecretSECRET0123456789abcdefTOKEN"
SECRET_KEY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretKEYmaterial"
PRIVATE_KEY_PEM = f"-----BEGIN PRIVATE KEY-----\\n{SECRET_KEY}\\n-----END PRIVATE KEY-----\\n"


def utcnow() -> datetime:
    # google-auth compares against naive UTC datetimes.
    return datetime.now(UTC).replace(tzinfo=None)


class FakeCredentials(gcreds.Credentials):
    """Counts refreshes; can be slow (contention) or fail a number of times."""

    def __init__(
        self,
        token: str | None = None,
        expiry: datetime | None = None,
        *,
        delay: float = 0.0,
        fail_times: int = 0,
        error: Exception | None = None,
        project_id: str | None = None,
        on_refresh: Any = None,
    ) -> None:
        super().__init__()
        self.on_refresh = on_refresh
        self.token = token
        self.expiry = expiry
        self.delay = delay
        self.fail_times = fail_times
        self.error = error
        self.project_id = project_id
        self.refreshes = 0

    def refresh(self, request: Any) -> None:
        if self.on_refresh:
            self.on_refresh()
        time.sleep(self.delay)
        if self.fail_times:
            self.fail_times -= 1
            raise self.error or gexc.RefreshError("invalid_grant: Bad Request")
        self.refreshes += 1
        self.token = f"ya29.fresh-{self.refreshes}"
        self.expiry = utcnow() + timedelta(hours=1)


class FakeScopedCredentials(FakeCredentials, gcreds.Scoped):
    def __init__(self, scopes: Any = None) -> None:
        super().__init__()
        self._scopes = scopes

    @property
    def requires_scopes(self) -> bool:
        return not self._scopes

    def with_scopes(self, scopes: Any, default_scopes: Any = None) -> FakeScopedCredentials:
        return FakeScopedCredentials(scopes)


def fresh() -> FakeCredentials:
    return FakeCredentials("ya29.valid", utcnow() + timedelta(minutes=30))


def stale(delay: float = 0.0) -> FakeCredentials:
    return FakeCredentials("ya29.old", utcnow() - timedelta(seconds=1), delay=delay)


@pytest.fixture
def adc(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Application-default credentials: records each `google.auth.default` call."""
    calls: list[dict[str, Any]] = []

    def default(**kwargs: Any) -> tuple[FakeCredentials, str]:
        calls.append(kwargs)
        return FakeCredentials(), "adc-project"

    monkeypatch.setattr(google.auth, "default", default)
    return calls


def test_fresh_token_returned_without_refresh() -> None:
    provider = GoogleCredentialsProvider(fresh())
    assert provider.token() == "ya29.valid"
    assert provider.refresh_count == 0


@pytest.mark.parametrize(
    ("token", "expires_in"),
    [
        (None, None),  # never fetched
        ("ya29.old", timedelta(seconds=-5)),  # expired
        ("ya29.old", timedelta(minutes=3)),  # inside google-auth's 3m45s threshold
    ],
)
def test_missing_expired_or_near_expiry_token_is_refreshed(
    token: str | None, expires_in: timedelta | None
) -> None:
    creds = FakeCredentials(token, utcnow() + expires_in if expires_in else None)
    provider = GoogleCredentialsProvider(creds)
    assert provider.token() == "ya29.fresh-1"
    assert provider.token() == "ya29.fresh-1"
    assert provider.refresh_count == creds.refreshes == 1


def test_adc_is_resolved_lazily_once_with_scopes(adc: list[dict[str, Any]]) -> None:
    provider = GoogleCredentialsProvider(quota_project="billing")
    repr(provider)
    assert adc == []  # nothing at construction
    assert provider.token() == "ya29.fresh-1"
    assert provider.project_id == "adc-project"
    provider.token()
    assert len(adc) == 1
    assert adc[0]["scopes"] == [CLOUD_PLATFORM_SCOPE]
    assert provider.quota_project == "billing"


def test_explicit_credentials_get_scoped_and_expose_project() -> None:
    provider = GoogleCredentialsProvider(FakeScopedCredentials(), scopes=("s1",))
    assert provider._credentials._scopes == ("s1",)
    assert GoogleCredentialsProvider(FakeCredentials(project_id="p1")).project_id == "p1"


def test_fifty_threads_on_stale_token_cause_one_refresh() -> None:
    provider = GoogleCredentialsProvider(stale(delay=0.05))
    barrier = threading.Barrier(50)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(provider.token())

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ya29.fresh-1"] * 50
    assert provider.refresh_count == 1


async def test_hundred_coroutines_share_one_off_loop_refresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = GoogleCredentialsProvider(stale(delay=0.2))
    hops = 0
    real_to_thread = asyncio.to_thread

    async def counting_to_thread(*args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return await real_to_thread(*args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting_to_thread)
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    tokens = await asyncio.gather(*(provider.atoken() for _ in range(100)))
    done.set()
    await ticking
    assert tokens == ["ya29.fresh-1"] * 100
    assert provider.refresh_count == 1
    assert hops == 1  # one worker thread, not 100 queued on the lock
    assert ticks >= 5  # the loop kept running while refresh slept 0.2 s
    assert await provider.atoken() == "ya29.fresh-1"
    assert hops == 1  # fast path stays on the loop


def test_two_event_loops_in_two_threads_cause_one_refresh() -> None:
    provider = GoogleCredentialsProvider(stale(delay=0.1))
    results: list[list[str]] = []

    async def many() -> list[str]:
        return list(await asyncio.gather(*(provider.atoken() for _ in range(20))))

    threads = [threading.Thread(target=lambda: results.append(asyncio.run(many()))) for _ in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [["ya29.fresh-1"] * 20] * 2
    assert provider.refresh_count == 1


async def test_cancelling_one_waiter_does_not_cancel_shared_refresh() -> None:
    provider = GoogleCredentialsProvider(stale(delay=0.1))
    tasks = [asyncio.create_task(provider.atoken()) for _ in range(3)]
    await asyncio.sleep(0.02)
    tasks[0].cancel()
    with pytest.raises(asyncio.CancelledError):
        await tasks[0]
    assert await asyncio.gather(*tasks[1:]) == ["ya29.fresh-1"] * 2
    assert provider.refresh_count == 1


def test_many_invalidations_of_current_token_cause_one_refresh() -> None:
    provider = GoogleCredentialsProvider(fresh())
    rejected = provider.token()

    def on_401() -> str:
        provider.invalidate(rejected)
        return provider.token()

    threads = [threading.Thread(target=on_401) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert provider.token() == "ya29.fresh-1"
    assert provider.refresh_count == 1


def test_invalidating_an_already_replaced_token_is_a_noop() -> None:
    provider = GoogleCredentialsProvider(stale())
    assert provider.token() == "ya29.fresh-1"
    provider.invalidate("ya29.old")
    assert provider.token() == "ya29.fresh-1"
    assert provider.refresh_count == 1


# --- httpx2 auth flow -------------------------------------------------------------------


class Server:
    """MockTransport handler answering with queued status codes, recording requests."""

    def __init__(self, *statuses: int, closed: list[int] | None = None) -> None:
        self.statuses = list(statuses)
        self.requests: list[httpx2.Request] = []
        # Snapshots: the auth flow re-sends the same (mutated) request object.
        self.headers: list[dict[str, str]] = []
        self.closed = closed

    def response(self, request: httpx2.Request, stream: Any = None) -> httpx2.Response:
        self.requests.append(request)
        self.headers.append(dict(request.headers))
        status = self.statuses.pop(0) if self.statuses else 200
        if stream is not None:
            return httpx2.Response(status, stream=stream)
        return httpx2.Response(status, json={"ok": status == 200})

    def sync(self, request: httpx2.Request) -> httpx2.Response:
        return self.response(request, TrackedStream(self) if self.closed is not None else None)

    async def async_(self, request: httpx2.Request) -> httpx2.Response:
        stream = AsyncTrackedStream(self) if self.closed is not None else None
        return self.response(request, stream)

    def auth_headers(self) -> list[str]:
        return [h["authorization"] for h in self.headers]


class TrackedStream(httpx2.SyncByteStream):
    def __init__(self, server: Server) -> None:
        self.server, self.index = server, len(server.requests)

    def __iter__(self) -> Iterator[bytes]:
        yield b"{}"

    def close(self) -> None:
        assert self.server.closed is not None
        self.server.closed.append(self.index)


class AsyncTrackedStream(httpx2.AsyncByteStream):
    def __init__(self, server: Server) -> None:
        self.server, self.index = server, len(server.requests)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"{}"

    async def aclose(self) -> None:
        assert self.server.closed is not None
        self.server.closed.append(self.index)


URL = "https://aiplatform.googleapis.test/v1/chat/completions"
PLACEHOLDER = {"Authorization": f"Bearer {PLACEHOLDER_API_KEY}"}


def sync_client(provider: GoogleCredentialsProvider, server: Server) -> httpx2.Client:
    return httpx2.Client(auth=provider.httpx_auth(), transport=httpx2.MockTransport(server.sync))


def async_client(provider: GoogleCredentialsProvider, server: Server) -> httpx2.AsyncClient:
    transport = httpx2.MockTransport(server.async_)
    return httpx2.AsyncClient(auth=provider.httpx_auth(), transport=transport)


def test_sync_flow_sets_bearer_and_quota_project_headers() -> None:
    server = Server(200)
    provider = GoogleCredentialsProvider(fresh(), quota_project="billing")
    with sync_client(provider, server) as client:
        assert client.post(URL, json={}, headers=PLACEHOLDER).status_code == 200
    assert server.auth_headers() == ["Bearer ya29.valid"]
    assert server.headers[0]["x-goog-user-project"] == "billing"
    server = Server(200)
    with sync_client(GoogleCredentialsProvider(fresh()), server) as client:
        client.get(URL)
    assert "x-goog-user-project" not in server.headers[0]


async def test_async_flow_sets_bearer_and_quota_project_headers() -> None:
    server = Server(200)
    provider = GoogleCredentialsProvider(fresh(), quota_project="billing")
    async with async_client(provider, server) as client:
        assert (await client.post(URL, json={}, headers=PLACEHOLDER)).status_code == 200
    assert server.auth_headers() == ["Bearer ya29.valid"]
    assert server.headers[0]["x-goog-user-project"] == "billing"


def test_sync_401_refreshes_once_and_retries_with_new_token() -> None:
    server = Server(401, 200)
    provider = GoogleCredentialsProvider(fresh())
    with sync_client(provider, server) as client:
        response = client.post(URL, json={"model": "m"})
    assert response.status_code == 200
    assert server.auth_headers() == ["Bearer ya29.valid", "Bearer ya29.fresh-1"]
    assert server.requests[1].content == server.requests[0].content == b'{"model":"m"}'
    assert provider.refresh_count == 1


async def test_async_401_refreshes_once_and_retries_with_new_token() -> None:
    server = Server(401, 200)
    provider = GoogleCredentialsProvider(fresh())
    async with async_client(provider, server) as client:
        response = await client.post(URL, json={"model": "m"})
    assert response.status_code == 200
    assert server.auth_headers() == ["Bearer ya29.valid", "Bearer ya29.fresh-1"]
    assert server.requests[1].content == b'{"model":"m"}'
    assert provider.refresh_count == 1


def test_sync_double_401_is_returned_after_one_retry() -> None:
    server = Server(401, 401, 401)
    provider = GoogleCredentialsProvider(fresh())
    with sync_client(provider, server) as client:
        assert client.get(URL).status_code == 401
    assert len(server.requests) == 2
    assert provider.refresh_count == 1


async def test_async_double_401_is_returned_after_one_retry() -> None:
    server = Server(401, 401, 401)
    provider = GoogleCredentialsProvider(fresh())
    async with async_client(provider, server) as client:
        assert (await client.get(URL)).status_code == 401
    assert len(server.requests) == 2
    assert provider.refresh_count == 1


def test_sync_streamed_401_is_closed_then_retried() -> None:
    server = Server(401, 200, closed=[])
    closed_at_refresh: list[int] = []
    creds = fresh()
    creds.on_refresh = lambda: closed_at_refresh.extend(server.closed or [])
    provider = GoogleCredentialsProvider(creds)
    with sync_client(provider, server) as client, client.stream("POST", URL, json={}) as response:
        assert closed_at_refresh == [0]  # the 401's connection released before refreshing
        assert response.status_code == 200
        assert response.read() == b"{}"
    assert server.closed == [0, 1]
    assert server.auth_headers()[1] == "Bearer ya29.fresh-1"


async def test_async_streamed_401_is_closed_then_retried() -> None:
    server = Server(401, 200, closed=[])
    closed_at_refresh: list[int] = []
    creds = fresh()
    creds.on_refresh = lambda: closed_at_refresh.extend(server.closed or [])
    provider = GoogleCredentialsProvider(creds)
    client = async_client(provider, server)
    async with client, client.stream("POST", URL, json={}) as response:
        assert closed_at_refresh == [0]
        assert response.status_code == 200
        assert await response.aread() == b"{}"
    assert server.closed == [0, 1]
    assert server.auth_headers()[1] == "Bearer ya29.fresh-1"


def test_openai_client_sends_real_token_and_does_not_retry_auth_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = Server()
    provider = GoogleCredentialsProvider(fresh())
    client = openai.OpenAI(
        api_key=PLACEHOLDER_API_KEY,
        base_url=URL.rsplit("/", 2)[0],
        http_client=sync_client(provider, server),
    )
    client.models.list()
    assert server.auth_headers() == ["Bearer ya29.valid"]

    lookups = []

    def no_adc(**kwargs: Any) -> Any:
        lookups.append(kwargs)
        raise gexc.DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(google.auth, "default", no_adc)
    adc_provider = GoogleCredentialsProvider()
    client = openai.OpenAI(
        api_key=PLACEHOLDER_API_KEY,
        base_url=URL.rsplit("/", 2)[0],
        http_client=sync_client(adc_provider, server),
        max_retries=3,
    )
    with pytest.raises(VertexAuthError):
        client.models.list()
    assert len(lookups) == 1  # raised unchanged, not retried
    assert len(server.requests) == 1


async def test_async_openai_client_sends_real_token_and_recovers_from_401() -> None:
    server = Server(401)
    provider = GoogleCredentialsProvider(fresh(), quota_project="billing")
    client = openai.AsyncOpenAI(
        api_key=PLACEHOLDER_API_KEY,
        base_url=URL.rsplit("/", 2)[0],
        http_client=async_client(provider, server),
        max_retries=0,
    )
    await client.models.list()
    assert server.auth_headers() == ["Bearer ya29.valid", "Bearer ya29.fresh-1"]
    assert server.headers[1]["x-goog-user-project"] == "billing"


# --- errors -------------------------------------------------------------------------------


def test_missing_adc_raises_actionable_auth_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_adc(**kwargs: Any) -> Any:
        raise gexc.DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(google.auth, "default", no_adc)
    provider = GoogleCredentialsProvider()
    with pytest.raises(VertexAuthError) as info:
        provider.token()
    assert "gcloud auth application-default login" in str(info.value)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(info.value)
    assert isinstance(info.value, ModelAuthenticationError)
    assert isinstance(info.value, openai.OpenAIError)
    with pytest.raises(VertexAuthError):
        provider.project_id  # noqa: B018


def test_refresh_error_is_redacted_everywhere() -> None:
    reason = (
        f"invalid_grant: token {SECRET_TOKEN} rejected; "
        f'{{"private_key": "{PRIVATE_KEY_PEM}", "client_email": "sa@p.iam"}}'
    )
    creds = FakeCredentials(fail_times=1, error=gexc.RefreshError(reason))
    with pytest.raises(VertexAuthError) as info:
        GoogleCredentialsProvider(creds).token()
    error = info.value
    rendered = "".join(traceback.format_exception(error))
    for text in (str(error), rendered):
        assert "Refreshing Google credentials" in text
        assert "invalid_grant" in text
        assert "gcloud auth application-default login" in text
        for secret in ("SECRET", "secretKEY", "MIIE", "BEGIN PRIVATE"):
            assert secret not in text
    assert error.__cause__ is None
    assert error.__context__ is None


def test_scope_errors_hint_at_cloud_platform_scope() -> None:
    creds = FakeCredentials(fail_times=1, error=gexc.RefreshError("invalid_scope: bad scope"))
    with pytest.raises(VertexAuthError, match="cloud-platform"):
        GoogleCredentialsProvider(creds).token()


def test_failed_refresh_is_retried_on_next_call() -> None:
    provider = GoogleCredentialsProvider(FakeCredentials(fail_times=1))
    with pytest.raises(VertexAuthError):
        provider.token()
    assert provider.token() == "ya29.fresh-1"


async def test_async_failure_reaches_every_waiter_then_recovers() -> None:
    creds = FakeCredentials(fail_times=1, delay=0.02)
    provider = GoogleCredentialsProvider(creds)
    results = await asyncio.gather(*(provider.atoken() for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, VertexAuthError) for r in results)
    assert await provider.atoken() == "ya29.fresh-1"


def test_api_keys_are_rejected_with_oauth_hint() -> None:
    with pytest.raises(VertexAuthError, match="API keys are not supported"):
        reject_api_key("AIzaSyA-fake-key-000000000000000000000")
    reject_api_key("ya29.a-real-looking-oauth-token")
    with pytest.raises(VertexAuthError, match="OAuth"):
        GoogleCredentialsProvider("AIzaSyA-fake-key-000000000000000000000")  # type: ignore[arg-type]
    with pytest.raises(VertexAuthError):
        GoogleCredentialsProvider(google.auth.api_key.Credentials("AIzaSyA-fake"))


# --- secrecy and pickling ---------------------------------------------------------------


def test_repr_and_logs_never_show_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("google", "httpx2", auth.__name__):
        caplog.set_level(logging.DEBUG, logger=name)
    provider = GoogleCredentialsProvider(stale(), quota_project="billing")
    with sync_client(provider, Server(401, 200)) as client:
        client.get(URL)
    token = provider.token()
    assert "refreshing Google credentials" in caplog.text
    assert "FakeCredentials" in caplog.text
    for text in (repr(provider), str(provider), caplog.text):
        assert token not in text
        assert "ya29.old" not in text
    assert "token_cached=True" in repr(provider)
    assert "billing" in repr(provider)


def test_pickle_keeps_explicit_credentials_but_not_their_token() -> None:
    provider = GoogleCredentialsProvider(stale(), quota_project="billing")
    assert provider.token() == "ya29.fresh-1"
    blob = pickle.dumps(provider)
    assert b"ya29.fresh-1" not in blob
    clone = pickle.loads(blob)
    assert clone.quota_project == "billing"
    assert clone.token() == "ya29.fresh-2"  # the clone refreshed its own
    assert clone.refresh_count == 1
    assert provider.token() == "ya29.fresh-1"  # the original keeps its token


async def test_pickle_of_adc_provider_drops_credentials_and_runtime_state(
    adc: list[dict[str, Any]],
) -> None:
    provider = GoogleCredentialsProvider()
    assert await provider.atoken() == "ya29.fresh-1"
    blob = pickle.dumps(provider)
    assert b"ya29" not in blob
    clone = pickle.loads(blob)
    assert "unresolved" in repr(clone)
    assert clone.token() == "ya29.fresh-1"  # re-resolved through ADC
    assert len(adc) == 2
    clone.invalidate("ya29.fresh-1")
    assert await clone.atoken() == "ya29.fresh-2"
