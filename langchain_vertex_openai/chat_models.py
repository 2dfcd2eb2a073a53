"""`ChatVertexOpenAI`: Gemini and partner models through Vertex AI's OpenAI-compatible API."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal, Self, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env
from pydantic import (
    AliasChoices,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from langchain_vertex_openai import _fork
from langchain_vertex_openai._call import PreparedCall, prepare_call
from langchain_vertex_openai._catalog import tracing_name
from langchain_vertex_openai._closing import Closing
from langchain_vertex_openai._endpoint import (
    DEFAULT_LOCATION,
    DEFAULT_MODEL,
    normalize_model_id,
    validate_location,
    validate_project,
    vertex_base_url,
)
from langchain_vertex_openai._response import (
    StreamState,
    as_generation_chunk,
    check_finished,
    chunk_to_message_chunk,
    final_chunk,
)
from langchain_vertex_openai._secrets import without_tokens
from langchain_vertex_openai._settings import (
    check_capability,
    check_settings,
    clean_access_token,
    construction_values,
)
from langchain_vertex_openai._structured import StructuredMethod, structured_runnable
from langchain_vertex_openai._token_counting import TokenCounting
from langchain_vertex_openai._tools import convert_tool_choice, convert_tools, split_google_search
from langchain_vertex_openai.auth import (
    GoogleCredentialsProvider,
)
from langchain_vertex_openai.data import model_profile

if TYPE_CHECKING:
    # Imported on the first call instead: `openai` alone takes ~300 ms (see `_clients`).
    from langchain_vertex_openai._clients import ModelClients, VertexAsyncOpenAI, VertexOpenAI
# Guards the first creation of a model's provider and clients (re-entrant: the client
# getters create the provider).
_INIT_LOCK = threading.RLock()
# A fork while another thread builds a model's clients would leave the child this lock
# held by a thread it does not have: every first call there would wait forever (`logging`
# resets its locks the same way).
os.register_at_fork(after_in_child=_INIT_LOCK._at_fork_reinit)  # type: ignore[attr-defined]


class ChatVertexOpenAI(TokenCounting, BaseChatModel, Closing):
    """Gemini (and partner models) on Vertex AI, through its OpenAI-compatible endpoint.

    Requests go to
    `https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/endpoints/openapi`
    (`aiplatform.googleapis.com` for the default `global` location), authenticated
    with Google credentials that are refreshed before they expire.

    ???+ info "Setup"

        ```bash
        pip install -e .   # in a clone of the repository (not on PyPI yet)
        gcloud auth application-default login   # or a service account
        export GOOGLE_CLOUD_PROJECT=my-project
        ```

    ??? info "Key init args — completion params"

        - `model`: `publisher/model` id; a bare `gemini-...` id gets `google/`.
        - `temperature`, `top_p`, `max_tokens`, `stop`, `seed`, `n`,
          `presence_penalty`, `frequency_penalty`.

    ??? info "Key init args — client params"

        - `project`: argument, else `GOOGLE_CLOUD_PROJECT`, else the project of the
          application-default credentials.
        - `location`: argument, else `GOOGLE_CLOUD_LOCATION`, else `global`.
        - `credentials`: any `google.auth` credentials; default: application-default
          credentials with the cloud-platform scope.
        - `quota_project`: billed project, sent as `x-goog-user-project`.
        - `base_url`: overrides the computed endpoint (emulator, private endpoint).
        - `endpoint_id`: a self-deployed Model Garden endpoint.
        - `timeout`, `max_retries` (429 and 5xx are retried with backoff).

    ??? info "Instantiate"

        ```python
        from langchain_vertex_openai import ChatVertexOpenAI

        llm = ChatVertexOpenAI(model="gemini-3.5-flash", project="my-project")
        ```

    ??? info "Invoke"

        ```python
        llm.invoke([("system", "Translate to French."), ("human", "I love programming.")])
        # On Vertex: AIMessage(content="J'adore la programmation.", usage_metadata={...}, ...)
        ```

    ??? info "Stream"

        ```python
        for chunk in llm.stream("Tell me a joke"):
            print(chunk.text, end="")
        ```

    ??? info "Async"

        ```python
        await llm.ainvoke("Hello")
        async for chunk in llm.astream("Hello"):
            ...
        await llm.abatch(["Hello", "Bonjour"])
        ```

    ??? info "Tool calling"

        ```python
        def get_weather(city: str) -> str:
            '''Get the weather for a city.'''
            return "sunny"

        msg = llm.bind_tools([get_weather]).invoke("What's the weather in 'Paris'?")
        msg.tool_calls  # [{"name": "get_weather", "args": {"city": "Paris"}, "id": ...}]
        ```

        Gemini's thought signatures are kept in `additional_kwargs` and sent back
        automatically when you pass the returned `AIMessage` back in the history.

    ??? info "Structured output"

        ```python
        from pydantic import BaseModel

        class Contact(BaseModel):
            name: str
            age: int | None = None

        llm.with_structured_output(Contact).invoke("Contact: name 'Ada Lovelace', age 36.")
        # Contact(name='Ada Lovelace', age=36)
        ```

        `method="json_schema"` (default, Gemini's native structured output),
        `"function_calling"` or `"json_mode"`; `include_raw=True` returns
        `{"raw", "parsed", "parsing_error"}`.

    ??? info "Multimodal"

        ```python
        from langchain_core.messages import HumanMessage

        llm.invoke([HumanMessage(content=[
            {"type": "text", "text": "Describe this."},
            {"type": "image", "url": "gs://bucket/cat.png"},
            {"type": "file", "url": "gs://bucket/report.pdf", "mime_type": "application/pdf"},
        ])])
        ```

    ??? info "Thinking"

        ```python
        llm = ChatVertexOpenAI(model="gemini-3.5-flash", include_thoughts=True)
        msg = llm.invoke("Why is the sky blue?")
        msg.additional_kwargs["reasoning_content"]  # thoughts, never in msg.content
        ```

    ??? info "Token usage"

        ```python
        msg = llm.invoke("Hello")
        msg.usage_metadata
        # {"input_tokens": 5, "output_tokens": 60, "total_tokens": 65,
        #  "output_token_details": {"reasoning": 52}}
        ```

        Vertex leaves hidden thinking out of `completion_tokens` (it counts it in
        `total_tokens` and sometimes in `reasoning_tokens`); it is reported as
        `output_token_details["reasoning"]`, with
        `input_tokens + output_tokens == total_tokens`.

    ??? info "Response metadata"

        ```python
        msg.response_metadata
        # {"model_name": "google/gemini-3.5-flash", "finish_reason": "stop",
        #  "id": "...", "token_usage": {...}, "model_provider": "google_vertexai_openai"}
        ```

    ??? info "Offline tests"

        ```python
        from langchain_vertex_openai.testing import VertexEmulator

        with VertexEmulator() as emulator:
            llm = ChatVertexOpenAI(base_url=emulator.base_url, credentials=emulator.credentials())
            llm.invoke("Repeat exactly: hi").content  # "hi"
        ```
    """

    model_name: str = Field(default=DEFAULT_MODEL, alias="model")
    """Model id, `publisher/model` (e.g. `google/gemini-3.5-flash`)."""
    project: str | None = Field(
        default_factory=from_env("GOOGLE_CLOUD_PROJECT", default=None),
        validate_default=True,
        validation_alias=AliasChoices("project", "project_id"),
    )
    """Google Cloud project; defaults to `GOOGLE_CLOUD_PROJECT`, then the ADC project.
    `project_id=` (ChatVertexAI's name) works too."""
    location: str = Field(
        default_factory=from_env("GOOGLE_CLOUD_LOCATION", default=DEFAULT_LOCATION),
        validate_default=True,
    )
    """Vertex location: `global` (default), `us`, `eu` or a region like `us-central1`."""
    endpoint_id: str | None = None
    """Id of a self-deployed Model Garden endpoint, instead of the shared `openapi` one."""
    base_url: str | None = None
    """Overrides the computed endpoint URL (emulator, Private Service Connect); default:
    `VERTEX_OPENAI_BASE_URL` when set."""
    allow_insecure_http: bool = False
    """Accept a plain `http://` `base_url` to a host other than loopback. Every request
    then carries the Google access token in clear: only for a network path trusted end
    to end. Loopback (`localhost`, 127.0.0.0/8, `::1`: the emulator) needs no opt-in."""
    credentials: Any = Field(default=None, exclude=True)
    """`google.auth` credentials; default: application-default credentials."""
    access_token: SecretStr | None = Field(default=None, alias="api_key")
    """A static OAuth2 access token (e.g. `gcloud auth print-access-token`; a `Bearer `
    prefix is stripped); it expires within an hour, so prefer `credentials`. API keys do
    not work. Default:
    `VERTEX_ACCESS_TOKEN` when set and no `credentials` are passed."""
    quota_project: str | None = None
    """Project billed for quota, sent as `x-goog-user-project`."""
    temperature: float | None = None
    """Sampling temperature, 0 to 2 (the model's default when `None`)."""
    top_p: float | None = None
    """Nucleus sampling mass, 0 to 1."""
    max_tokens: int | None = Field(
        default=None,
        alias="max_completion_tokens",
        validation_alias=AliasChoices("max_tokens", "max_completion_tokens", "max_output_tokens"),
    )
    """Maximum number of tokens to generate (`max_output_tokens=`, the Google
    integrations' name, works too, also per call)."""
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Sequences that end the answer."""
    seed: int | None = None
    """Seed for more repeatable sampling."""
    presence_penalty: float | None = None
    """Penalty for tokens already present in the text."""
    frequency_penalty: float | None = None
    """Penalty growing with how often a token already appeared."""
    n: int | None = None
    """Number of candidates (Gemini 3 models accept only 1)."""
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high"] | None = Field(
        default=None, validation_alias=AliasChoices("reasoning_effort", "thinking_level")
    )
    """How much Gemini thinks. Gemini 3 models take `minimal`/`low`/`medium`/`high` (which
    ones, and the default, depend on the model: `llm.profile["reasoning_effort_levels"]`);
    `"none"` turns thinking off on the retiring Gemini 2.5 Flash. `None`: the model's default.
    `thinking_level=` (langchain-google-genai's name) works too, also per call."""
    thinking_budget: int | None = None
    """Thinking budget in tokens for the retiring Gemini 2.5 models (0 off, -1 dynamic)."""
    include_thoughts: bool | None = None
    """Return thought summaries: `reasoning_content` in `additional_kwargs`, or
    `reasoning` content blocks with `output_version="v1"`; never in the answer text."""
    safety_settings: list[dict[str, str]] | dict[str, str] | None = None
    """`[{"category": "HARM_CATEGORY_...", "threshold": "BLOCK_..."}]` or a
    `{category: threshold}` mapping."""
    thought_signature_placeholder: bool = True
    """Send `skip_thought_signature_validator` for Gemini tool-call turns that carry no
    signature (history written by hand or by another model). Set False to get Vertex's
    400 instead, e.g. to find code that loses signatures."""
    labels: dict[str, str] | None = None
    """Billing labels. Not available: Vertex's OpenAI-compatible endpoint does not take
    them (it would drop them silently), so setting any raises at construction."""
    exact_token_count: bool = False
    """Count tokens with Vertex's `countTokens` (Google models; a network call) instead of
    the offline estimate."""
    cached_content: str | None = None
    """`projects/{p}/locations/{region}/cachedContents/{id}` (regional locations only)."""
    media_resolution: Literal["low", "medium", "high"] | None = None
    """Tokens spent per image or video frame, for the whole request (Gemini). On Gemini 3 a
    content block may set its own `media_resolution` (sent as the part's `detail`)."""
    timeout: float | None = Field(default=None, alias="request_timeout")
    """Seconds before a request times out (the SDK's default when `None`)."""
    max_retries: int = 2
    """Retries for 429, 5xx, timeouts and connection errors, with backoff."""
    streaming: bool = False
    """Whether `invoke` streams internally."""
    stream_usage: bool = True
    """Whether streamed messages carry `usage_metadata`."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra top-level request fields."""
    extra_body: dict[str, Any] | None = None
    """Merged into the top level of the request body. Google extensions go under
    `{"extra_body": {"google": {...}}}`; a top-level `google` key is moved there."""
    default_headers: dict[str, str] | None = None
    """Extra HTTP headers on every request; credential headers (`Authorization`, API keys,
    cookies) are refused, as the model's repr and serialized form keep these."""
    http_client: Any = Field(default=None, exclude=True)
    """An `httpx2.Client` to use (proxies, mTLS); may be shared between models. Yours to
    close, and to replace after `os.fork()`. Default: a pool shared by all models."""
    http_async_client: Any = Field(default=None, exclude=True)
    """An `httpx2.AsyncClient` to use; it belongs to the event loop it is first used on.
    Default: one pool per event loop, shared by all models and closed with the loop."""

    # Validation errors quote no input: the arguments may hold an access token.
    model_config = ConfigDict(
        populate_by_name=True, protected_namespaces=(), hide_input_in_errors=True
    )

    _provider: GoogleCredentialsProvider | None = PrivateAttr(default=None)
    # `Any` at runtime: the client classes are imported on the first call, and
    # `typing.get_type_hints(ChatVertexOpenAI)` must still resolve every annotation.
    _clients: Any = PrivateAttr(default=None)

    @field_validator("http_client", "http_async_client")
    @classmethod
    def _check_http_client(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        from langchain_vertex_openai._pools import check_http_client

        return check_http_client(value, str(info.field_name))

    @field_validator("model_name")
    @classmethod
    def _normalize_model(cls, value: str) -> str:
        return normalize_model_id(value)

    @field_validator("location")
    @classmethod
    def _check_location(cls, value: str) -> str:
        return validate_location(value)

    @field_validator("project")
    @classmethod
    def _check_project(cls, value: str | None) -> str | None:
        return validate_project(value) if value else None

    @model_validator(mode="before")
    @classmethod
    def _build_model_kwargs(cls, values: dict[str, Any]) -> Any:
        return construction_values(values, cls.model_fields, default_model=DEFAULT_MODEL)

    @model_validator(mode="after")
    def _validate_settings(self) -> Self:
        # Here, not in a field validator: pydantic's error would quote the raw key.
        self.access_token = clean_access_token(self.access_token)
        token = self.access_token.get_secret_value() if self.access_token else None
        check_settings(
            {
                **self._default_params,
                "credentials": self.credentials,
                "access_token": token,
                "max_retries": self.max_retries,
                "timeout": self.timeout,
                "endpoint_id": self.endpoint_id,
                "base_url": self.base_url,
                "allow_insecure_http": self.allow_insecure_http,
                "quota_project": self.quota_project,
                "default_headers": self.default_headers,
                "exact_token_count": self.exact_token_count,
                "labels": self.labels,
            },
            cache_location=self._cache_location,
        )
        _fork.model_in_use()  # a fork now first finishes other threads' first-call work
        return self

    def _resolve_model_profile(self) -> ModelProfile | None:
        profile = model_profile(self.model_name)
        return ModelProfile(**profile) if profile else None  # type: ignore[typeddict-item]

    # -- identity ---------------------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "vertex-openai-chat"

    @property
    def model(self) -> str:
        """The `publisher/model` id."""
        return self.model_name

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Return True: the model serialises without credentials."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Return `["langchain_vertex_openai", "chat_models"]`."""
        return ["langchain_vertex_openai", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        """A static access token is a secret, loaded from `VERTEX_ACCESS_TOKEN`."""
        return {"access_token": "VERTEX_ACCESS_TOKEN"}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self._default_params}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        """LangSmith params; `ls_provider` is `google_vertexai` so Gemini pricing applies."""
        params = super()._get_ls_params(stop=stop, **kwargs)
        # Tracing must never fail a call, so the per-call model is reported as given.
        model = str(kwargs.get("model") or self.model_name)
        params["ls_provider"] = "google_vertexai"
        params["ls_model_name"] = tracing_name(model)
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    # -- clients ----------------------------------------------------------------------------

    @property
    def credentials_provider(self) -> GoogleCredentialsProvider:
        """The provider handing out fresh access tokens (created on first use)."""
        if self._provider is not None:
            return self._provider
        with _INIT_LOCK:
            if self._provider is not None:
                return self._provider
            credentials = self.credentials
            if self.access_token is not None:
                from google.oauth2.credentials import Credentials

                credentials = Credentials(  # type: ignore[no-untyped-call]
                    token=self.access_token.get_secret_value()
                )
            self._provider = GoogleCredentialsProvider(
                credentials, quota_project=self.quota_project
            )
            return self._provider

    @property
    def _cache_location(self) -> str | None:
        # With a base_url override the serving location is unknown; Vertex decides.
        return None if self.base_url else self.location

    def _resolved_base_url(self) -> str:
        if self.base_url:
            return self.base_url
        project = self.project or self.credentials_provider.project_id
        if not project:
            msg = (
                "No Google Cloud project: pass project=..., set GOOGLE_CLOUD_PROJECT, or use "
                "credentials that name a project (`gcloud config set project ...`)."
            )
            raise ValueError(msg)
        return vertex_base_url(validate_project(project), self.location, self.endpoint_id)

    def _client_options(self) -> dict[str, Any]:
        """Keyword arguments for both SDK clients."""
        options: dict[str, Any] = {
            "base_url": self._resolved_base_url(),
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }
        if self.timeout is not None:  # None keeps the SDK's default
            options["timeout"] = self.timeout
        return options

    def _model_clients(self) -> ModelClients:
        clients: ModelClients | None = self._clients  # one private-attribute read per call
        if clients is not None:
            return clients
        # Before the lock every model's first call takes: naming the project may look up
        # application-default credentials (seconds, on a slow metadata server).
        options = self._client_options()
        with _INIT_LOCK:  # threads of one batch must not each build them
            if self._clients is None:
                _fork.model_in_use()  # also for a model unpickled here (no validators ran)
                from langchain_vertex_openai._clients import ModelClients

                self._clients = ModelClients(
                    self.credentials_provider, options, self.http_client, self.http_async_client
                )
            return cast("ModelClients", self._clients)

    def _get_client(self) -> VertexOpenAI:
        return self._model_clients().sync()

    async def _async_client_off_loop(self) -> VertexAsyncOpenAI:
        clients: ModelClients | None = self._clients
        if clients is None:
            # The first call may look up application-default credentials (file and
            # network I/O): do that in a thread, not on the event loop.
            clients = await asyncio.to_thread(self._model_clients)
        return clients.for_running_loop()

    def close(self) -> None:
        """Release what is this model's own: its SDK clients and its token session.

        Also on leaving `with` / `async with`. The shared connection pools stay open for
        other models (they close with the process, or with their event loop);
        `http_client`s you passed stay yours. The model stays usable.
        """
        clients, self._clients = self._clients, None
        if clients is not None:
            clients.close()
        if self._provider is not None:
            self._provider.close()

    def __copy__(self) -> Self:
        # A copy (model_copy(update=...) included) may change the URL or credentials:
        # it builds its own provider and clients on first use.
        copied = super().__copy__()
        copied._provider = copied._clients = None
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        memo = {} if memo is None else memo
        for runtime in (self._provider, self._clients):
            memo[id(runtime)] = None  # live clients and locks are not copied
        for shared in (self.http_client, self.http_async_client):
            memo[id(shared)] = shared  # the user's HTTP clients are shared, not cloned
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        # Ray/Spark ship models to workers: no live clients, locks or tokens travel;
        # they are rebuilt on first use there (the provider re-resolves ADC).
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private.update(_provider=None, _clients=None)
        state["__pydantic_private__"] = private
        credentials = state["__dict__"].get("credentials")
        if credentials is not None:
            # Cached access tokens (a source identity's too) stay behind; the worker
            # refreshes its own.
            state["__dict__"] = {**state["__dict__"], "credentials": without_tokens(credentials)}
        return state

    # -- request ----------------------------------------------------------------------------

    @property
    def _default_params(self) -> dict[str, Any]:
        params = {
            "model": self.model_name,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "seed": self.seed,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "n": self.n,
            "reasoning_effort": self.reasoning_effort,
            "thinking_budget": self.thinking_budget,
            "include_thoughts": self.include_thoughts,
            "safety_settings": self.safety_settings,
            "cached_content": self.cached_content,
            "media_resolution": self.media_resolution,
            **self.model_kwargs,
        }
        return {key: value for key, value in params.items() if value is not None}

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, kwargs: Any
    ) -> PreparedCall:
        return prepare_call(
            messages,
            defaults=self._default_params,
            extra_body=self.extra_body,
            call_kwargs=kwargs,
            stop=stop,
            stream=stream,
            stream_usage=self.stream_usage,
            cache_location=self._cache_location,
            signature_placeholder=self.thought_signature_placeholder,
        )

    def _vertex_errors(self, state: StreamState | None = None) -> AbstractContextManager[None]:
        from langchain_vertex_openai._errors import vertex_errors

        provider = self.credentials_provider  # its tokens are hidden from our errors too
        # With a base_url override the serving location is unknown: no location hints.
        return vertex_errors(location=self._cache_location, stream=state, provider=provider)

    def _wants_stream(self, kwargs: dict[str, Any]) -> bool:
        """Whether this call streams: a per-call `streaming=` wins over the field."""
        streaming = kwargs.pop("streaming", None)
        return self.streaming if streaming is None else bool(streaming)

    # -- generation -------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._wants_stream(kwargs):
            from langchain_core.language_models.chat_models import generate_from_stream

            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        prepared = self._prepare(messages, stop, False, kwargs)
        with self._vertex_errors():
            completion = self._get_client().chat_completion(prepared.body, prepared.options)
            return prepared.result(completion)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._wants_stream(kwargs):
            from langchain_core.language_models.chat_models import agenerate_from_stream

            return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))
        prepared = self._prepare(messages, stop, False, kwargs)
        client = await self._async_client_off_loop()
        with self._vertex_errors():
            completion = await client.chat_completion(prepared.body, prepared.options)
            return prepared.result(completion)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        prepared = self._prepare(messages, stop, True, kwargs)
        state = prepared.stream_state()
        with self._vertex_errors(state):
            stream = self._get_client().chat_stream(prepared.body, prepared.options)
            with stream:
                for raw in stream:
                    message = chunk_to_message_chunk(raw, state)
                    if message is not None:
                        yield self._emit(as_generation_chunk(message), run_manager)
        check_finished(state)
        yield self._emit(as_generation_chunk(final_chunk(state)), run_manager)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        prepared = self._prepare(messages, stop, True, kwargs)
        state = prepared.stream_state()
        client = await self._async_client_off_loop()
        with self._vertex_errors(state):
            stream = await client.chat_stream(prepared.body, prepared.options)
            async with stream:
                async for raw in stream:
                    message = chunk_to_message_chunk(raw, state)
                    if message is not None:
                        yield await self._aemit(as_generation_chunk(message), run_manager)
        check_finished(state)
        yield await self._aemit(as_generation_chunk(final_chunk(state)), run_manager)

    @staticmethod
    def _emit(
        chunk: ChatGenerationChunk, run_manager: CallbackManagerForLLMRun | None
    ) -> ChatGenerationChunk:
        if run_manager:
            run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        return chunk

    @staticmethod
    async def _aemit(
        chunk: ChatGenerationChunk, run_manager: AsyncCallbackManagerForLLMRun | None
    ) -> ChatGenerationChunk:
        if run_manager:
            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        return chunk

    # -- tools ------------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (pydantic models, TypedDicts, functions, `BaseTool`s, OpenAI dicts).

        Args:
            tools: The tools the model may call. `{"google_search": {}}` turns on Google
                Search grounding (sent as Vertex's `web_search_options`).
            tool_choice: `"auto"`, `"none"`, `"any"`/`"required"`/`True` (must call a
                tool), `"validated"` (Gemini's schema-checked mode), a tool name, or an
                OpenAI-format dict.
            strict: Vertex ignores it, so it is not sent; `True` warns once.
            parallel_tool_calls: Vertex ignores this parameter, so it is enforced here:
                with `False` only the first tool call of a reply is kept, and the others
                are listed in `response_metadata["dropped_tool_calls"]`.
            **kwargs: Further request parameters to bind.
        """
        tools, search = split_google_search(tools)
        if search is not None:
            kwargs["web_search_options"] = search
        formatted = convert_tools(tools, strict=strict)
        if formatted:
            check_capability(self.model_name, "tools")
        choice = convert_tool_choice(tool_choice, formatted)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        if choice is not None:
            kwargs["tool_choice"] = choice
        if formatted:
            kwargs["tools"] = formatted
        return super().bind(**kwargs)

    # -- token counting ---------------------------------------------------------------------

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Return a runnable that answers with objects matching `schema`.

        Args:
            schema: A pydantic model (parsed into an instance), a TypedDict or a JSON
                schema dict (parsed into a dict). Optional for `json_mode`.
            method: `"json_schema"` (default; Gemini's native structured output through
                `response_format`), `"function_calling"` (a forced tool call) or
                `"json_mode"` (`response_format={"type": "json_object"}`).
            include_raw: Return `{"raw", "parsed", "parsing_error"}` instead of raising
                on a reply that does not parse.
            strict: For `json_schema`, sent in the response format; for
                `function_calling`, not sent (Vertex ignores it on tools, with a
                warning). Not valid with `json_mode`.
            **kwargs: Bound to the model call.

        Raises:
            ValueError: For an unknown method, a missing schema, `strict` with JSON mode,
                or a schema Gemini cannot take (e.g. a recursive model).
        """
        check_capability(self.model_name, "structured_output")
        return structured_runnable(
            self, schema, method=method, include_raw=include_raw, strict=strict, **kwargs
        )
