"""Known secrets are hidden whole or where an excerpt cut them; the provider names them."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import google.auth.credentials as gcreds
import pytest

from langchain_vertex_openai._errors import malformed_answer_error
from langchain_vertex_openai._secrets import CUT, MAX_DEPTH, redact_data, redact_text
from langchain_vertex_openai.auth import GoogleCredentialsProvider

KEY = "s3cr3t-opaque-key-123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {KEY} here", "key <redacted> here"),
        (f"{KEY}{KEY}", "<redacted>"),
        (f'"note": "{KEY[:12]}...', '"note": "<redacted>...'),  # cut by an excerpt
        (f"'{KEY[:10]}'", "'<redacted>'"),
        (f"{KEY[:15]}", "<redacted>"),  # the text ends inside it
        (f"b'{KEY[-9:]} rest", "b'<redacted> rest"),  # cut at its start
    ],
)
def test_known_secret_is_hidden_whole_or_cut(text: str, expected: str) -> None:
    assert redact_text(text, [KEY]) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"{KEY[:8]}x and more",  # a shared start that goes on differently: not the key
        f"project {KEY[:7]}",  # shorter than any piece hunted
        "<redacted> stays as it is",
    ],
)
def test_text_merely_like_a_secret_is_kept(text: str) -> None:
    assert redact_text(text, [KEY, "<redacted>"]) == text


def test_redacted_values_cut_nesting_and_hide_keys_of_objects() -> None:
    deep: object = "bottom"
    for _ in range(5_000):
        deep = [deep]
    cut = redact_data({"a": deep, KEY: KEY}, [KEY])
    assert cut["<redacted>"] == "<redacted>"
    depth, piece = 0, cut["a"]
    while isinstance(piece, list):
        depth, piece = depth + 1, piece[0]
    assert (depth, piece) == (MAX_DEPTH - 1, CUT)
    pickle.dumps(cut)


def test_deep_raw_error_pickles() -> None:
    deep: object = {}
    for _ in range(3_000):
        deep = {"x": deep}
    error = malformed_answer_error("choices[0] is odd", deep)
    loaded = pickle.loads(pickle.dumps(error))
    assert str(loaded) == str(error)
    assert CUT in repr(loaded.raw)


class _OpaqueCredentials(gcreds.Credentials):
    """Hands out tokens of no recognisable shape, a new one per refresh."""

    def __init__(self) -> None:
        super().__init__()
        self.refreshes = 0

    def refresh(self, request: Any) -> None:
        self.refreshes += 1
        self.token = f"opaque-token-number-{self.refreshes:04d}"
        self.expiry = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)


def test_provider_names_its_tokens_the_current_and_the_one_a_refresh_replaced() -> None:
    credentials = _OpaqueCredentials()
    provider = GoogleCredentialsProvider(credentials)
    assert provider.cached_tokens() == []
    first = provider.token()
    assert provider.cached_tokens() == [first]
    provider.invalidate(first)  # a 401: the next token() refreshes
    second = provider.token()
    assert second != first
    # An answer to a request that carried `first` may arrive after the refresh.
    assert set(provider.cached_tokens()) == {first, second}
    loaded = pickle.loads(pickle.dumps(provider))
    assert loaded.cached_tokens() == []  # no token travels in a pickle
