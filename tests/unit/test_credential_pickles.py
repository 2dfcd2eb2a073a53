"""Pickled providers and models carry no live access token, a source identity's included.

What does travel, by design: refresh tokens, client secrets and keys, which are what lets
the unpickled copy (on a Ray or Spark worker) get tokens of its own. Application-default
credentials do not travel at all: the worker resolves its own.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import cloudpickle
import pytest
from google.auth import credentials as gcreds
from google.auth import impersonated_credentials
from google.oauth2 import credentials as user_credentials

from langchain_vertex_openai import ChatVertexOpenAI, GoogleCredentialsProvider

SOURCE_TOKEN = "ya29.source-access-token-0123456789abcdef"
TARGET_TOKEN = "ya29.impersonated-access-token-0123456789"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ"
RAPT = "rapt-reauth-proof-token-0123456789"
REFRESH_TOKEN = "1//0refresh-token-kept-on-purpose-0123456789"
LIVE = (SOURCE_TOKEN, TARGET_TOKEN, ID_TOKEN, RAPT)


def _later() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=30)


def _user_credentials() -> user_credentials.Credentials:
    creds = user_credentials.Credentials(
        token=SOURCE_TOKEN,
        refresh_token=REFRESH_TOKEN,
        id_token=ID_TOKEN,
        token_uri="https://oauth2.googleapis.com/token",
        client_id="client-id",
        client_secret="client-secret",
        rapt_token=RAPT,
        expiry=_later(),
    )
    assert creds.valid
    return creds


def _impersonated() -> impersonated_credentials.Credentials:
    creds = impersonated_credentials.Credentials(
        source_credentials=_user_credentials(),
        target_principal="runner@my-project.iam.gserviceaccount.com",
        target_scopes=["https://www.googleapis.com/auth/cloud-platform"],
    )
    creds.token = TARGET_TOKEN
    creds.expiry = _later()
    # Impersonation copies its source: give the copy a live token, as after a refresh.
    creds._source_credentials.token = SOURCE_TOKEN
    creds._source_credentials.expiry = _later()
    return creds


class Wrapping(gcreds.Credentials):
    """Credentials holding others under a name no list of known attributes would have."""

    def __init__(self, inner: gcreds.Credentials) -> None:
        super().__init__()
        self.upstream = {"note": "not credentials"}
        self.chain_link = inner
        self.token = TARGET_TOKEN
        self.expiry = _later()

    def refresh(self, request: object) -> None:
        raise NotImplementedError


def _payloads(obj: object) -> list[bytes]:
    return [pickle.dumps(obj), cloudpickle.dumps(obj)]


def _assert_no_live_token(payload: bytes) -> None:
    for token in LIVE:
        assert token.encode() not in payload


@pytest.mark.parametrize(
    "make", [_user_credentials, _impersonated, lambda: Wrapping(_impersonated())]
)
def test_provider_pickle_has_no_live_token_and_keeps_what_refreshing_needs(make) -> None:
    credentials = make()
    provider = GoogleCredentialsProvider(credentials)
    assert provider.token() in (SOURCE_TOKEN, TARGET_TOKEN)  # cached, valid
    for payload in _payloads(provider):
        _assert_no_live_token(payload)
        assert REFRESH_TOKEN.encode() in payload  # the copy can still refresh
        clone = pickle.loads(payload)
        assert type(clone._credentials) is type(credentials)
        assert clone._credentials.token is None
        assert not clone._credentials.valid
        assert "token_cached=False" in repr(clone)
    # The live objects are untouched: this process keeps using its tokens.
    assert provider.token() in (SOURCE_TOKEN, TARGET_TOKEN)
    assert credentials.valid


def test_impersonated_source_credentials_lose_their_token_but_not_their_identity() -> None:
    provider = GoogleCredentialsProvider(_impersonated())
    clone = pickle.loads(pickle.dumps(provider))
    source = clone._credentials._source_credentials
    assert source.token is None
    assert source.expiry is None
    assert source.id_token is None
    assert source.refresh_token == REFRESH_TOKEN
    assert source.client_secret == "client-secret"
    assert clone._credentials._target_principal == "runner@my-project.iam.gserviceaccount.com"


@pytest.mark.parametrize("make", [_user_credentials, _impersonated])
def test_used_model_pickle_has_no_live_token(make) -> None:
    credentials = make()
    llm = ChatVertexOpenAI(model="gemini-3.5-flash", project="my-project", credentials=credentials)
    assert llm.credentials_provider.token() in (SOURCE_TOKEN, TARGET_TOKEN)
    for payload in _payloads(llm):
        _assert_no_live_token(payload)
        clone = pickle.loads(payload)
        assert clone.credentials.token is None
        assert type(clone.credentials) is type(credentials)
    assert llm.credentials is credentials and credentials.valid


def test_static_token_model_carries_its_token_as_configuration() -> None:
    # A static api_key is the model's configuration (the worker cannot refresh it), like
    # any SecretStr field; it is never in repr or dumpd (see test_secrets).
    llm = ChatVertexOpenAI(model="gemini-3.5-flash", project="my-project", api_key=SOURCE_TOKEN)
    clone = pickle.loads(pickle.dumps(llm))
    assert clone.access_token.get_secret_value() == SOURCE_TOKEN
    assert SOURCE_TOKEN not in repr(clone)
