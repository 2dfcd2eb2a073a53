"""Auth errors hide secrets, not hosts: the URL that failed stays readable.

google-auth's own failures (raised by its real code, over a fake transport: no sockets)
name the metadata server, token endpoint or file involved, and may quote tokens, refresh
tokens or key material. The error we raise keeps the former and hides the latter.
"""

from __future__ import annotations

import traceback
from typing import Any

import google.auth.transport.requests
import pytest
from google.auth import compute_engine
from google.oauth2 import credentials as user_credentials

from langchain_vertex_openai import GoogleCredentialsProvider, VertexAuthError
from langchain_vertex_openai.auth import _redact

ACCESS = "ya29.c.b0Aaekm1KsECHOED-access-0123456789abcdef"
REFRESH = "1//0gECHOEDrefresh-Token-0123456789abcdefghijklmnopqrstuv"
SECRET = "GOCSPX-echoedClientSecret0123456789ab"
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJpc3MiOiJzYUBwLmlhbSJ9.c2lnbmF0dXJlLXBhcnQ"
SECRETS = (ACCESS, ACCESS.removeprefix("ya29."), REFRESH, REFRESH.removeprefix("1//"), SECRET, JWT)


class FakeResponse:
    def __init__(self, status: int, data: bytes) -> None:
        self.status = status
        self.data = data
        self.headers = {"content-type": "text/plain"}


class FakeTransport:
    """A google-auth transport answering every request with one status and body."""

    def __init__(self, status: int, data: bytes) -> None:
        self.reply = FakeResponse(status, data)
        self.urls: list[str] = []

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> FakeResponse:
        self.urls.append(url)
        return self.reply


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> FakeTransport:
    fake = FakeTransport(403, b"")
    monkeypatch.setattr(google.auth.transport.requests, "Request", lambda: fake)
    return fake


def _rendered(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


def test_metadata_server_failure_names_the_url_and_hides_the_echoed_token(
    transport: FakeTransport,
) -> None:
    transport.reply = FakeResponse(403, f"denied for Bearer {ACCESS}; token={ACCESS}".encode())
    with pytest.raises(VertexAuthError) as info:
        GoogleCredentialsProvider(compute_engine.Credentials()).token()
    url = transport.urls[0]
    assert url.startswith("http://metadata.google.internal/computeMetadata/v1/instance/")
    for text in _rendered(info.value):
        assert "Refreshing Google credentials (Credentials) failed: RefreshError" in text
        assert url.split("?")[0] in text  # host and path, whole
        assert "metadata.google.internal/computeMetadata/v1/instance/service-accounts" in text
        assert "Status: 403" in text
        for secret in SECRETS:
            assert secret not in text
        assert "<redacted>" in text


def test_token_endpoint_failure_names_the_endpoint_and_hides_refresh_material(
    transport: FakeTransport,
) -> None:
    transport.reply = FakeResponse(
        400,
        (
            f'{{"error": "invalid_grant", "error_description": "Bad refresh_token {REFRESH} '
            f'for client_secret {SECRET}", "id_token": "{JWT}"}}'
        ).encode(),
    )
    creds = user_credentials.Credentials(
        token=None,
        refresh_token=REFRESH,
        token_uri="https://oauth2.googleapis.com/token",
        client_id="123456789012-abc.apps.googleusercontent.com",
        client_secret=SECRET,
    )
    with pytest.raises(VertexAuthError) as info:
        GoogleCredentialsProvider(creds).token()
    assert transport.urls == ["https://oauth2.googleapis.com/token"]
    for text in _rendered(info.value):
        assert "invalid_grant" in text
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.parametrize(
    "readable",
    [
        "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/"
        "?recursive=true",
        "HTTPConnectionPool(host='metadata.google.internal', port=80): Max retries exceeded "
        "with url: /computeMetadata/v1/instance/service-accounts/default/token",
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
        "runner-0123@my-project-123456.iam.gserviceaccount.com:generateAccessToken",
        "File /home/user0123/.config/gcloud/application_default_credentials.json was not found.",
        "Basic authentication is not supported; the bearer of a token must refresh it.",
        "https://sts.googleapis.com/v1/token returned 400 for audience //iam.googleapis.com/"
        "projects/123456789012/locations/global/workloadIdentityPools/pool-1/providers/gh",
    ],
)
def test_urls_hosts_and_paths_stay_readable(readable: str) -> None:
    assert _redact(readable) == readable


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"token {ACCESS} expired", ACCESS.removeprefix("ya29.")),
        (f"refresh_token={REFRESH}", REFRESH.removeprefix("1//")),
        (f"https://oauth2.googleapis.com/tokeninfo?access_token={ACCESS}", ACCESS),
        (f"assertion {JWT} rejected", JWT.split(".")[1]),
        (f"client secret {SECRET}", SECRET.removeprefix("GOCSPX-")),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----", "MIIEvQ"),
        ('{"private_key": "abc def ghi"}', "abc def ghi"),
    ],
)
def test_secrets_are_redacted(text: str, secret: str) -> None:
    redacted = _redact(text)
    assert secret not in redacted
    assert "redacted" in redacted
