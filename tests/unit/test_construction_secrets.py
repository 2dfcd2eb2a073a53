"""A model that refuses its arguments does not quote `api_key` back.

pydantic puts the input of a failed validation in the error's text; the model's inputs
include the static token.
"""

from __future__ import annotations

import traceback

import pytest

from langchain_vertex_openai import ChatVertexOpenAI

TOKEN = "ya29.Zq7kSECRETvalue-0123456789abcdef"


@pytest.mark.parametrize(
    "bad",
    [
        {"temperature": 5},
        {"temperature": "hot"},
        {"timeout": -1},
        {"base_url": "http://10.0.0.5/v1"},
        {"base_url": "ftp://example.com"},
        {"max_tokens": 0},
    ],
)
def test_construction_errors_do_not_quote_the_token(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError) as info:
        # The token last: pydantic's truncated rendering of the input keeps its end.
        ChatVertexOpenAI(model="gemini-2.5-flash", project="my-project", **bad, api_key=TOKEN)
    name = next(iter(bad))
    text = "".join(traceback.format_exception(info.value))
    assert name in str(info.value)  # the refusal still names what to fix
    for rendering in (str(info.value), repr(info.value), text):
        assert TOKEN not in rendering
        assert TOKEN.removeprefix("ya29.")[:10] not in rendering
        assert TOKEN[-10:] not in rendering
