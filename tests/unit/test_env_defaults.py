"""`VERTEX_OPENAI_BASE_URL` and `VERTEX_ACCESS_TOKEN` point unchanged code at an endpoint."""

from __future__ import annotations

import pytest
from google.oauth2 import service_account

from langchain_vertex_openai import ChatVertexOpenAI

URL = "http://127.0.0.1:8080/v1/projects/emulator-project/locations/global/endpoints/openapi"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("VERTEX_OPENAI_BASE_URL", URL)
    monkeypatch.setenv("VERTEX_ACCESS_TOKEN", "ya29.from-env")
    return monkeypatch


def test_without_the_variables_nothing_changes(monkeypatch):
    monkeypatch.delenv("VERTEX_OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("VERTEX_ACCESS_TOKEN", raising=False)
    llm = ChatVertexOpenAI(project="my-project")
    assert llm.base_url is None
    assert llm.access_token is None
    assert "my-project" in llm._resolved_base_url()


def test_the_variables_fill_base_url_and_token(env):
    llm = ChatVertexOpenAI(project="my-project")
    assert llm._resolved_base_url() == URL
    assert llm.access_token is not None
    assert llm.access_token.get_secret_value() == "ya29.from-env"
    assert "ya29.from-env" not in repr(llm)


def test_explicit_arguments_win(env):
    llm = ChatVertexOpenAI(base_url="https://example.invalid/v1", api_key="ya29.given")
    assert llm.base_url == "https://example.invalid/v1"
    assert llm.access_token is not None
    assert llm.access_token.get_secret_value() == "ya29.given"


def test_credentials_keep_the_env_token_out(env):
    info = {
        "type": "service_account",
        "client_email": "x@p.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    creds = service_account.Credentials(
        signer=None, service_account_email=info["client_email"], token_uri=info["token_uri"]
    )
    llm = ChatVertexOpenAI(credentials=creds)
    assert llm.access_token is None  # no "either credentials or api_key" error either
    assert llm.credentials is creds


def test_an_api_key_in_the_env_is_refused_like_one_passed(env):
    env.setenv("VERTEX_ACCESS_TOKEN", "AIza" + "x" * 35)
    with pytest.raises(Exception, match="API key"):
        ChatVertexOpenAI()
