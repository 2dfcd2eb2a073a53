"""`base_url` is checked at construction: an http(s) URL, and never plain http off-machine.

Plain `http://` to any host but loopback would send the Google access token in clear on
every request, so it needs an explicit `allow_insecure_http=True`.
"""

from __future__ import annotations

import pytest

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._settings import BASE_URL_ENV

VERTEX = "aiplatform.googleapis.com/v1/projects/my-project/locations/global/endpoints/openapi"


def _model(**kwargs: object) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(model="gemini-3.5-flash", api_key="ya29.static", **kwargs)


@pytest.mark.parametrize(
    "url",
    [
        f"https://{VERTEX}",
        "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/openapi",
        "HTTPS://private.endpoint.example/v1",
        "https://10.0.0.5:8443/v1",  # TLS to a private address is fine
        "http://127.0.0.1:8080/v1/projects/emulator-project/locations/global/endpoints/openapi",
        "http://127.45.6.7/v1",
        "http://localhost:9000/v1",
        "http://LOCALHOST./v1",
        "http://[::1]:8080/v1",
        "http://[::ffff:127.0.0.1]:8080/v1",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert _model(base_url=url).base_url == url


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (f"http://{VERTEX}", "aiplatform.googleapis.com"),  # the typo: one letter off
        ("http://10.0.0.5:8080/v1", "10.0.0.5"),
        ("http://0.0.0.0:8080/v1", "0.0.0.0"),
        ("http://localhost.attacker.example/v1", "localhost.attacker.example"),
        ("http://127.0.0.1.nip.io/v1", "127.0.0.1.nip.io"),
        ("http://evil.localhost/v1", "evil.localhost"),
        ("http://[::ffff:10.0.0.1]/v1", "::ffff:10.0.0.1"),
    ],
)
def test_plain_http_off_this_machine_is_refused(url: str, host: str) -> None:
    with pytest.raises(ValueError, match="base_url") as info:
        _model(base_url=url)
    message = str(info.value)
    assert f"plain http to {host!r}" in message
    assert "access token in clear" in message
    assert "allow_insecure_http=True" in message
    assert "Use https://" in message


def test_the_typo_names_the_https_url_to_use() -> None:
    with pytest.raises(ValueError, match=f"Use https://{VERTEX}, or pass"):
        _model(base_url=f"http://{VERTEX}")


def test_allow_insecure_http_opts_in_explicitly() -> None:
    url = "http://10.0.0.5:8080/v1"
    llm = _model(base_url=url, allow_insecure_http=True)
    assert llm.base_url == url
    assert llm.allow_insecure_http is True
    assert _model().allow_insecure_http is False


@pytest.mark.parametrize(
    "url",
    [
        "",
        VERTEX,  # scheme forgotten
        "aiplatform.googleapis.com",
        "ftp://aiplatform.googleapis.com/v1",
        "unix:///tmp/vertex.sock",
        "https://",
        "http://:8080/v1",
        "https://aiplatform.googleapis.com:port/v1",
        "https://[::1/v1",
    ],
)
def test_what_is_not_an_http_url_is_refused_naming_base_url(url: str) -> None:
    with pytest.raises(ValueError, match="base_url") as info:
        _model(base_url=url)
    assert "https://aiplatform.googleapis.com/v1/projects/PROJECT" in str(info.value)


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ValueError, match="base_url must not carry a user name") as info:
        _model(base_url="https://user:s3cret-pass@proxy.example/v1")
    assert "s3cret-pass" not in str(info.value)


def test_the_environment_variable_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_ENV, f"http://{VERTEX}")
    with pytest.raises(ValueError, match="plain http"):
        _model()
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:8080/v1")
    assert _model().base_url == "http://127.0.0.1:8080/v1"
