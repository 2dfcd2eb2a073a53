"""The provider's refresh within deadlines: waiters, timeouts and retries (no sockets)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from google.auth import exceptions as gexc

from langchain_vertex_openai import auth
from langchain_vertex_openai.auth import GoogleCredentialsProvider, VertexAuthError
from tests.unit.test_auth import FakeCredentials


def counted(credentials: FakeCredentials) -> list[float]:
    calls: list[float] = []
    credentials.on_refresh = lambda: calls.append(time.monotonic())
    return calls


def test_waiters_get_the_refreshers_error_without_refreshing_again() -> None:
    credentials = FakeCredentials(delay=0.3, fail_times=1)
    attempts = counted(credentials)
    provider = GoogleCredentialsProvider(credentials)
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def worker() -> None:
        start.wait(5)
        try:
            provider.token(timeout=5)
        except VertexAuthError as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 3
    assert len({str(error) for error in errors}) == 1  # the same error for all
    assert len(attempts) == 1
    assert provider.token() == "ya29.fresh-1"  # the next call tries again


def test_a_waiter_gives_up_at_its_own_deadline_while_the_refresh_goes_on() -> None:
    provider = GoogleCredentialsProvider(FakeCredentials(delay=1.0))
    leader = threading.Thread(target=provider.token)
    leader.start()
    time.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(VertexAuthError, match="not refreshed within"):
        provider.token(timeout=0.2)
    assert time.monotonic() - started < 0.9
    leader.join(5)
    assert provider.token(timeout=0.2) == "ya29.fresh-1"


async def test_a_coroutine_gives_up_at_its_deadline_without_cancelling_the_refresh() -> None:
    provider = GoogleCredentialsProvider(FakeCredentials(delay=0.5))
    patient = asyncio.create_task(provider.atoken(timeout=5))
    await asyncio.sleep(0.05)
    with pytest.raises(VertexAuthError, match="not refreshed within"):
        await provider.atoken(timeout=0.1)
    assert await patient == "ya29.fresh-1"
    assert provider.refresh_count == 1


@pytest.mark.parametrize(
    "error",
    [gexc.TransportError("connection reset"), gexc.RefreshError("503", retryable=True)],
    ids=["transport", "retryable"],
)
def test_retryable_failures_are_retried_up_to_retries(error: Exception) -> None:
    credentials = FakeCredentials(fail_times=2, error=error)
    attempts = counted(credentials)
    provider = GoogleCredentialsProvider(credentials)
    with pytest.raises(VertexAuthError):
        provider.token(retries=1)
    assert len(attempts) == 2
    assert provider.token(retries=1) == "ya29.fresh-1"  # one failure left, then success


def test_other_failures_are_not_retried() -> None:
    credentials = FakeCredentials(fail_times=1)  # invalid_grant: retrying cannot help
    attempts = counted(credentials)
    with pytest.raises(VertexAuthError, match="invalid_grant"):
        GoogleCredentialsProvider(credentials).token(retries=3)
    assert len(attempts) == 1


def test_retries_stop_at_the_deadline() -> None:
    credentials = FakeCredentials(fail_times=10, error=gexc.TransportError("down"), delay=0.2)
    attempts = counted(credentials)
    started = time.monotonic()
    with pytest.raises(VertexAuthError):
        GoogleCredentialsProvider(credentials).token(timeout=0.5, retries=10)
    assert time.monotonic() - started < 3
    assert len(attempts) < 10


def test_google_auths_transport_is_kept_and_its_timeouts_cut_to_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import google.auth.transport.requests as google_requests
    import requests

    seen: list[object] = []

    def fake_request(self: object, method: str, url: str, **kwargs: object) -> object:
        seen.append(kwargs["timeout"])
        raise requests.exceptions.ConnectionError("no network in unit tests")

    monkeypatch.setattr(requests.Session, "request", fake_request)
    transport = GoogleCredentialsProvider(FakeCredentials())._google_transport()
    # Credentials that require google-auth's own class (GDCH) or mount adapters on its
    # session (metadata-server mTLS) still get them.
    assert isinstance(transport, google_requests.Request)
    assert isinstance(transport.session, requests.Session)
    auth._set_deadline(transport, time.monotonic() + 2)
    for timeout in (None, 120, (5, 120)):
        with pytest.raises(gexc.TransportError):
            transport("https://oauth2.example/token", method="POST", timeout=timeout)
    single, explicit, pair = seen
    assert isinstance(single, float) and single <= 2
    assert isinstance(explicit, float) and explicit <= 2
    assert isinstance(pair, tuple) and max(pair) <= 2
