"""Credentials put in default_headers are refused: repr(model) and dumps(model) would show them."""

from __future__ import annotations

import pytest

from langchain_vertex_openai import ChatVertexOpenAI


@pytest.mark.parametrize(
    "header", ["Authorization", "proxy-authorization", "X-Goog-Api-Key", "Cookie"]
)
def test_credentials_in_default_headers_are_refused(header):
    # They would be shown by repr(model) and kept by dumps(model).
    secret = "ya29.secret-in-a-header"
    with pytest.raises(ValueError, match="default_headers") as caught:
        ChatVertexOpenAI(project="my-project", default_headers={header: f"Bearer {secret}"})
    assert secret not in str(caught.value)


def test_ordinary_default_headers_are_kept():
    llm = ChatVertexOpenAI(project="my-project", default_headers={"x-goog-user-project": "billing"})
    assert llm.default_headers == {"x-goog-user-project": "billing"}
