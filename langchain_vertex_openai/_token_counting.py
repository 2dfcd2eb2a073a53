"""Token counting for the chat model: estimated offline, or exact through `countTokens`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.messages.utils import count_tokens_approximately

from langchain_vertex_openai._count_tokens import count_tokens_body, count_tokens_url, total_tokens

if TYPE_CHECKING:
    from langchain_vertex_openai._clients import VertexOpenAI


class TokenCounting:
    """`get_num_tokens*` and `get_token_ids` of `ChatVertexOpenAI`."""

    if TYPE_CHECKING:
        exact_token_count: bool
        model_name: str

        def _resolved_base_url(self) -> str: ...
        def _vertex_errors(self) -> AbstractContextManager[None]: ...
        def _get_client(self) -> VertexOpenAI: ...

    def get_num_tokens(self, text: str) -> int:
        """Count the tokens in `text`: estimated offline, or exact (see below).

        Offline (default): about four characters a token; Gemini's tokenizer is not
        available without a call, so this is for budgeting and
        `trim_messages(token_counter=llm)`, not for billing. With
        `exact_token_count=True`: Vertex's `countTokens` (one network call).
        """
        if self.exact_token_count:
            return self.get_num_tokens_from_messages([HumanMessage(text)])
        return math.ceil(len(text) / 4)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Count the tokens in a conversation.

        Offline (default): langchain-core's `count_tokens_approximately` with Gemini's
        258 tokens per image, tools included; no downloads and no network. With
        `exact_token_count=True`: Vertex's `countTokens` for the messages (tools are not
        counted there); it raises the `Vertex*Error` of a failed call, e.g.
        `VertexNotFoundError` for a model not served in the location.
        """
        if not self.exact_token_count:
            return count_tokens_approximately(
                messages, tokens_per_image=258, tools=list(tools) if tools else None
            )
        # An absolute URL on the same client: same auth, retries and error translation.
        url = count_tokens_url(self._resolved_base_url(), self.model_name)
        with self._vertex_errors():
            answer = self._get_client().post(url, body=count_tokens_body(messages), cast_to=object)
        return total_tokens(answer)

    def get_token_ids(self, text: str) -> list[int]:
        """Not available: Gemini's tokenizer is not published for offline use.

        Raises:
            NotImplementedError: Always; use `get_num_tokens` for an estimate.
        """
        msg = "Gemini token ids are not available offline; use get_num_tokens() for a count."
        raise NotImplementedError(msg)
