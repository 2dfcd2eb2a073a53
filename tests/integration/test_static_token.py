"""A rejected or expired static token (`api_key="ya29..."`) says so, and how to fix it."""

from __future__ import annotations

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexAuthError
from langchain_vertex_openai.testing import VertexEmulator


def _assert_says_static_token(error: VertexAuthError, token: str) -> None:
    message = str(error)
    assert "static access token" in message
    assert "rejected" in message
    assert "gcloud auth print-access-token" in message
    assert "application-default" in message
    for refresh_field in ("refresh_token", "token_uri", "client_id", "client_secret"):
        assert refresh_field not in message
    assert token not in message


def test_a_rejected_static_token_says_it_was_rejected(emulator):
    token = "ya29.not-a-token-the-emulator-issued"
    llm = ChatVertexOpenAI(base_url=emulator.base_url, api_key=token, max_retries=0)
    with pytest.raises(VertexAuthError) as caught:
        llm.invoke("Repeat exactly: a")
    _assert_says_static_token(caught.value, token)
    assert len(emulator.requests) == 1  # one 401, no retry loop


async def test_an_expired_static_token_says_so_in_async_too():
    with VertexEmulator() as emulator:
        token = emulator.issue_token()
        llm = ChatVertexOpenAI(base_url=emulator.base_url, api_key=token, max_retries=0)
        assert (await llm.ainvoke("Repeat exactly: a")).content == "a"
        emulator.expire_all_tokens()  # not a short lifetime: a loaded machine outlasts it
        with pytest.raises(VertexAuthError) as caught:
            await llm.ainvoke("Repeat exactly: b")
    _assert_says_static_token(caught.value, token)


def test_refreshing_credentials_keep_google_auths_reason():
    # Only a static token gets the static-token message; others keep google-auth's reason.
    from google.oauth2.credentials import Credentials

    from langchain_vertex_openai import auth

    refreshable = Credentials(  # type: ignore[no-untyped-call]
        token="t", refresh_token="r", token_uri="https://oauth2.invalid/token"
    )
    error = auth._refresh_error(RuntimeError("invalid_grant: reauth needed"), refreshable)
    assert "invalid_grant" in str(error)
    assert "static access token" not in str(error)
