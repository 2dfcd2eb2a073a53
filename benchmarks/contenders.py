"""The clients under test, built so each does the same work against one server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import openai
from google.oauth2.credentials import Credentials
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from server import STREAM_CHUNKS

from langchain_vertex_openai import ChatVertexOpenAI

MODEL = "google/gemini-2.5-flash"
PROMPT = "hi"
MESSAGES = [{"role": "user", "content": PROMPT}]
PATH = "/chat/completions"

RAW = "raw SDK"
RAW_SMALL_POOL = "raw SDK, httpx2 default pool"
RAW_UNTYPED = "raw SDK, untyped"
FLOOR = "core floor (no I/O)"
MINIMAL = "core + untyped SDK"
CHAT_OPENAI = "ChatOpenAI"
OURS = "ChatVertexOpenAI"


class FixedChatModel(BaseChatModel):
    """langchain-core's floor: a chat model that does no I/O and answers a fixed text."""

    @property
    def _llm_type(self) -> str:
        return "fixed"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        del messages, stop, run_manager, kwargs
        return ChatResult(generations=[ChatGeneration(message=AIMessage("Hello there, friend."))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        del messages, stop, run_manager, kwargs
        return ChatResult(generations=[ChatGeneration(message=AIMessage("Hello there, friend."))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        del messages, stop, run_manager, kwargs
        for position in range(STREAM_CHUNKS):
            yield ChatGenerationChunk(message=AIMessageChunk(content=f"tok{position} "))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        del messages, stop, run_manager, kwargs
        for position in range(STREAM_CHUNKS):
            yield ChatGenerationChunk(message=AIMessageChunk(content=f"tok{position} "))


def _text(completion: Any) -> str:
    return str(completion["choices"][0]["message"]["content"])


def _delta(chunk: Any) -> str:
    return str(chunk["choices"][0]["delta"].get("content") or "")


class MinimalChatModel(BaseChatModel):
    """The least a LangChain integration can do: core's machinery plus one untyped SDK call.

    Same request and transport as `ChatVertexOpenAI` (`post(..., cast_to=object)`), and
    a bare message back, so `ChatVertexOpenAI` minus this is our own code.
    """

    client: Any = None
    async_client: Any = None

    @property
    def _llm_type(self) -> str:
        return "minimal"

    def _body(self, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": MODEL, "messages": MESSAGES}
        if stream:
            body["stream"] = True
        return body

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        del messages, stop, run_manager, kwargs
        completion = self.client.post(PATH, body=self._body(False), cast_to=object)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(_text(completion)))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        del messages, stop, run_manager, kwargs
        completion = await self.async_client.post(PATH, body=self._body(False), cast_to=object)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(_text(completion)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        del messages, stop, run_manager, kwargs
        stream = self.client.post(
            PATH,
            body=self._body(True),
            cast_to=object,
            stream=True,
            stream_cls=openai.Stream[object],
        )
        with stream:
            for chunk in stream:
                yield ChatGenerationChunk(message=AIMessageChunk(content=_delta(chunk)))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        del messages, stop, run_manager, kwargs
        stream = await self.async_client.post(
            PATH,
            body=self._body(True),
            cast_to=object,
            stream=True,
            stream_cls=openai.AsyncStream[object],
        )
        async with stream:
            async for chunk in stream:
                yield ChatGenerationChunk(message=AIMessageChunk(content=_delta(chunk)))


@dataclass
class Clients:
    """One instance of every contender, all pointed at the same server."""

    raw: openai.OpenAI
    araw: openai.AsyncOpenAI
    araw_small_pool: openai.AsyncOpenAI
    chat_openai: ChatOpenAI
    ours: ChatVertexOpenAI
    floor: FixedChatModel
    minimal: MinimalChatModel

    def close(self) -> None:
        """Close the raw sync client (the async ones close with their loop)."""
        self.raw.close()

    async def aclose(self) -> None:
        """Close the raw async clients (on the loop that used them)."""
        await self.araw.close()
        await self.araw_small_pool.close()


TIMEOUT = 120.0
"""Every contender's timeout: the SDK's default 5 s connect timeout can trip when 1,000
connections open at once on a busy machine, and a timing run must not end in an error."""


def build_clients(url: str) -> Clients:
    """Build every contender against `url` without retries or network credentials."""
    raw = openai.OpenAI(base_url=url, api_key="x", max_retries=0, timeout=TIMEOUT)
    araw = openai.AsyncOpenAI(base_url=url, api_key="x", max_retries=0, timeout=TIMEOUT)
    return Clients(
        raw=raw,
        araw=araw,
        # What ChatVertexOpenAI builds: httpx2's own defaults (100 connections, 20 idle).
        araw_small_pool=openai.AsyncOpenAI(
            base_url=url,
            api_key="x",
            max_retries=0,
            timeout=TIMEOUT,
            http_client=httpx2.AsyncClient(),
        ),
        chat_openai=ChatOpenAI(
            model=MODEL,
            base_url=url,
            api_key="x",  # type: ignore[arg-type]
            max_retries=0,
            timeout=TIMEOUT,
        ),
        ours=ChatVertexOpenAI(
            model="gemini-2.5-flash",
            base_url=url,
            credentials=Credentials(token="x"),  # type: ignore[no-untyped-call]
            max_retries=0,
            timeout=TIMEOUT,
        ),
        floor=FixedChatModel(),
        minimal=MinimalChatModel(client=raw, async_client=araw),
    )


def first_invokers(url: str) -> dict[str, Callable[[], Callable[[], object]]]:
    """Per contender: build a new client and make its first call; returns how to close it.

    What an app that builds a model per request (per-tenant settings, `model_copy`, a
    LangGraph node constructing its model) pays each time. The raw SDK builds its own
    connection pool (and SSL context) per client, so it is closed after the call, outside
    the timing; `ChatOpenAI` shares langchain-openai's cached pool, `ChatVertexOpenAI`
    this package's shared pool.
    """
    credentials = Credentials(token="x")  # type: ignore[no-untyped-call]

    def raw() -> Callable[[], object]:
        client = openai.OpenAI(base_url=url, api_key="x", max_retries=0)
        client.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        return client.close

    def chat_openai() -> Callable[[], object]:
        model = ChatOpenAI(model=MODEL, base_url=url, api_key="x", max_retries=0)  # type: ignore[arg-type]
        model.invoke(PROMPT)
        return lambda: None

    def ours() -> Callable[[], object]:
        model = ChatVertexOpenAI(
            model="gemini-2.5-flash", base_url=url, credentials=credentials, max_retries=0
        )
        model.invoke(PROMPT)
        return lambda: None

    return {RAW: raw, CHAT_OPENAI: chat_openai, OURS: ours}


def _drain(stream: Any) -> int:
    count = 0
    for _ in stream:
        count += 1
    return count


async def _adrain(stream: Any) -> int:
    count = 0
    async for _ in stream:
        count += 1
    return count


def sync_invokers(c: Clients) -> dict[str, Callable[[], object]]:
    """One non-streaming call per contender (sync)."""
    body = {"model": MODEL, "messages": MESSAGES}
    return {
        RAW: lambda: c.raw.chat.completions.create(model=MODEL, messages=MESSAGES),  # type: ignore[arg-type]
        RAW_UNTYPED: lambda: c.raw.post(PATH, body=body, cast_to=object),
        FLOOR: lambda: c.floor.invoke(PROMPT),
        MINIMAL: lambda: c.minimal.invoke(PROMPT),
        CHAT_OPENAI: lambda: c.chat_openai.invoke(PROMPT),
        OURS: lambda: c.ours.invoke(PROMPT),
    }


def async_invokers(c: Clients) -> dict[str, Callable[[], Awaitable[object]]]:
    """One non-streaming call per contender (async)."""
    body = {"model": MODEL, "messages": MESSAGES}
    return {
        RAW: lambda: c.araw.chat.completions.create(model=MODEL, messages=MESSAGES),  # type: ignore[arg-type]
        RAW_SMALL_POOL: lambda: c.araw_small_pool.chat.completions.create(
            model=MODEL, messages=MESSAGES
        ),  # type: ignore[arg-type]
        RAW_UNTYPED: lambda: c.araw.post(PATH, body=body, cast_to=object),
        FLOOR: lambda: c.floor.ainvoke(PROMPT),
        MINIMAL: lambda: c.minimal.ainvoke(PROMPT),
        CHAT_OPENAI: lambda: c.chat_openai.ainvoke(PROMPT),
        OURS: lambda: c.ours.ainvoke(PROMPT),
    }


def sync_streamers(c: Clients) -> dict[str, Callable[[], int]]:
    """One fully consumed 200-chunk stream per contender; returns the items seen."""
    body = {"model": MODEL, "messages": MESSAGES, "stream": True}

    def raw() -> int:
        return _drain(c.raw.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))  # type: ignore[arg-type]

    def raw_untyped() -> int:
        stream = c.raw.post(
            PATH, body=body, cast_to=object, stream=True, stream_cls=openai.Stream[object]
        )
        return _drain(stream)

    return {
        RAW: raw,
        RAW_UNTYPED: raw_untyped,
        FLOOR: lambda: _drain(c.floor.stream(PROMPT)),
        MINIMAL: lambda: _drain(c.minimal.stream(PROMPT)),
        CHAT_OPENAI: lambda: _drain(c.chat_openai.stream(PROMPT)),
        OURS: lambda: _drain(c.ours.stream(PROMPT)),
    }


def async_streamers(c: Clients) -> dict[str, Callable[[], Awaitable[int]]]:
    """One fully consumed 200-chunk async stream per contender (for profiling)."""

    async def raw() -> int:
        stream = await c.araw.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        return await _adrain(stream)

    return {
        RAW: raw,
        FLOOR: lambda: _adrain(c.floor.astream(PROMPT)),
        MINIMAL: lambda: _adrain(c.minimal.astream(PROMPT)),
        CHAT_OPENAI: lambda: _adrain(c.chat_openai.astream(PROMPT)),
        OURS: lambda: _adrain(c.ours.astream(PROMPT)),
    }
