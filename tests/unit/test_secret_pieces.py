"""Known secrets are hidden whole, and where an error's excerpt cut one short (pure)."""

from __future__ import annotations

import pickle

import pytest

from langchain_vertex_openai._errors import malformed_answer_error
from langchain_vertex_openai._secrets import CUT, MAX_DEPTH, redact_data, redact_text

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
