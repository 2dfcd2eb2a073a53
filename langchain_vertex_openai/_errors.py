"""Vertex error bodies to exceptions that say what went wrong and how to fix it.

Vertex answers errors with an object `{"error": {...}}` or, like the Gemini API,
a one-element list `[{"error": {...}}]` (docs/vertex-facts.md §10). For a list the
`openai` SDK's message is only `Error code: 400`, so we rebuild the message
from Google's `message` and `status`, add a hint for the errors users hit
(wrong location, missing publisher, lost thought signature, quota), and
re-raise as classes that inherit both the SDK's class and langchain-core's
`Model*Error`, so `except openai.RateLimitError` and
`except ModelRateLimitError` both work.

Every class here keeps no credential, live or pickled (`_secrets.SafeErrorMixin`): the
request and response it carries are copies without `Authorization`, API keys or the
request body, and its texts are redacted of any token a server echoed. They pickle and
unpickle (pickle, cloudpickle; Ray, multiprocessing) with class, status, message, body
and every other attribute. The SDK's own exception (which holds the live request) is not
chained to ours.

Because these classes subclass the SDK's, this module imports `openai`; it is loaded on
a model's first call (or when an error class is imported), not with the model class.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterator
from typing import Any, Protocol

import httpx2
import openai
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelRefusalError,
    ModelTimeoutError,
)

from langchain_vertex_openai._catalog import not_found_hint
from langchain_vertex_openai._secrets import SafeErrorMixin, redact_data, scrub_exception_chain


class VertexAuthError(SafeErrorMixin, openai.OpenAIError, ModelAuthenticationError):
    """Google credentials could not be found or refreshed, or are not OAuth credentials.

    Subclasses `openai.OpenAIError` so the openai SDK re-raises it unchanged (no retries)
    and `ModelAuthenticationError` so LangChain code can catch it provider-agnostically.
    Also importable from `langchain_vertex_openai.auth`.
    """


class VertexBadRequestError(SafeErrorMixin, openai.BadRequestError, ModelInvalidRequestError):
    """Vertex rejected the request (HTTP 400)."""


class VertexContextOverflowError(SafeErrorMixin, openai.BadRequestError, ContextOverflowError):
    """The input is longer than the model's context window (HTTP 400)."""


class VertexAuthenticationError(
    SafeErrorMixin, openai.AuthenticationError, ModelAuthenticationError
):
    """Vertex did not accept the credentials (HTTP 401)."""


class VertexPermissionDeniedError(
    SafeErrorMixin, openai.PermissionDeniedError, ModelPermissionDeniedError
):
    """The caller lacks permission on the project or model (HTTP 403)."""


class VertexNotFoundError(SafeErrorMixin, openai.NotFoundError, ModelNotFoundError):
    """The model or endpoint does not exist where it was asked for (HTTP 404)."""


class VertexRateLimitError(SafeErrorMixin, openai.RateLimitError, ModelRateLimitError):
    """Quota or shared capacity exhausted (HTTP 429); retried before raising."""


class VertexServerError(SafeErrorMixin, openai.InternalServerError, ModelAPIError):
    """Vertex failed or is overloaded (HTTP 5xx); retried before raising."""


class VertexAPIError(SafeErrorMixin, openai.APIStatusError, ModelError):
    """Any other HTTP error status from Vertex."""


class VertexPromptBlockedError(SafeErrorMixin, ModelRefusalError):
    """Gemini's safety filters blocked the prompt itself: Vertex returned no choices.

    Not retried: the same prompt is blocked again. `safety_settings` cannot lift every
    block (some categories are always enforced).
    """

    def __init__(self, usage: dict[str, Any] | None = None) -> None:
        super().__init__(
            "Vertex AI returned no choices: the prompt was blocked by Gemini's safety "
            "filters. Rephrase the input; safety_settings cannot lift every block."
        )
        self.usage = usage


class VertexResponseError(SafeErrorMixin, openai.APIError, ModelAPIError):
    """Vertex answered 200 with a body (or stream event) that is not a valid answer.

    Not JSON, not shaped like a chat completion (`choices: [null]`, a message that is
    not an object...), or an error event inside a stream.
    """

    raw: object = None
    """The offending piece of the answer as received (a choice, a message, an event)."""


class VertexConnectionError(SafeErrorMixin, openai.APIConnectionError, ModelConnectionError):
    """Vertex could not be reached, or the connection broke mid-response."""


class VertexTimeoutError(SafeErrorMixin, openai.APITimeoutError, ModelTimeoutError):
    """The request took longer than `timeout`."""


# The request our own errors name (the SDK's are not at hand where they are raised).
_REQUEST = httpx2.Request("POST", "/chat/completions")
_STATUS_CLASSES: dict[int, type[openai.APIStatusError]] = {
    400: VertexBadRequestError,
    401: VertexAuthenticationError,
    403: VertexPermissionDeniedError,
    404: VertexNotFoundError,
    429: VertexRateLimitError,
}
_OVERFLOW_MARKERS = ("exceeds the maximum number of tokens", "input token count")
_TAG_RE = re.compile(r"<[^>]+>")
_STYLE_RE = re.compile(r"<(style|script)\b[^>]*>.*?</\1\s*>", re.S | re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


def google_error(body: object) -> dict[str, Any] | None:
    """Return the inner `error` object of an object- or list-shaped body."""
    if isinstance(body, list) and body:
        body = body[0]
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and ("message" in inner or "status" in inner):
            return inner
    return None


# The 404 names the model: `Publisher Model projects/…/publishers/P/models/M was not found`.
_NOT_FOUND_MODEL_RE = re.compile(r"publishers/([^/\s]+)/models/([^/\s]+)")


def _hint(status_code: int, message: str, location: str | None) -> str:
    lowered = message.lower()
    if "thought_signature" in lowered or "thought signature" in lowered:
        return (
            "An assistant tool-call turn was sent back without the thought signature Gemini "
            "gave it. Pass the AIMessage objects returned by the model back unchanged "
            "(ChatVertexOpenAI keeps the signature in additional_kwargs)."
        )
    if "publisher model name" in lowered:
        return "Use 'publisher/model' ids such as 'google/gemini-3.5-flash'."
    if status_code == 404 and "publisher model" in lowered:
        named = _NOT_FOUND_MODEL_RE.search(message)
        return not_found_hint(f"{named[1]}/{named[2]}" if named else None, location)
    if "api keys are not supported" in lowered:
        return "Vertex AI needs OAuth credentials (google-auth), not an API key."
    if status_code == 401:
        return (
            "The access token was rejected even after a refresh: check the credentials "
            "(`gcloud auth application-default login`)."
        )
    if status_code == 403:
        return (
            "The principal needs the Vertex AI User role (aiplatform.endpoints.predict) on the "
            "project, and the Vertex AI API must be enabled."
        )
    if status_code == 429:
        return (
            "Quota or shared capacity is exhausted; the request was retried up to max_retries "
            "times. Raise max_retries, slow down, or use location='global'."
        )
    return ""


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _not_googles(parsed: object, text: str) -> str:
    """Describe a JSON error body that is not in Google's shape (a proxy's, a gateway's)."""
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        # `{"error": "bad"}`: the error is a string, not Google's object.
        quoted = repr(parsed["error"].strip()[:200])
        return f"error {quoted} (a JSON body not in Google's error shape: a proxy?)"
    return f"JSON body not in Google's error shape (a proxy or a wrong base_url?): {text[:200]}"


def _describe_body(error: openai.APIStatusError) -> str:
    """Return Google's message, or a short excerpt of a body in another shape."""
    inner = google_error(error.body)
    if inner is not None:
        status = inner.get("status")
        message = str(inner.get("message", "")).strip()
        return f"{status}: {message}" if status else message
    try:
        text = error.response.text
    except Exception:
        text = ""
    parsed = _json_or_none(text) if text.lstrip()[:1] in ("{", "[") else None
    if parsed is not None:
        return _not_googles(parsed, _SPACE_RE.sub(" ", text).strip())
    # Google's error pages carry inline CSS; only the visible text helps.
    text = html.unescape(_TAG_RE.sub(" ", _STYLE_RE.sub(" ", text)))
    text = _SPACE_RE.sub(" ", text).strip()
    if not text:
        return "(empty body)"
    return f"non-JSON body (a proxy or a wrong base_url?): {text[:200]}"


def translate_status_error(
    error: openai.APIStatusError, *, location: str | None = None
) -> openai.APIStatusError:
    """Return the exception to raise for an HTTP error status from Vertex."""
    description = _describe_body(error)
    code = error.status_code
    cls = _STATUS_CLASSES.get(code, VertexServerError if code >= 500 else VertexAPIError)
    if code == 400 and any(marker in description.lower() for marker in _OVERFLOW_MARKERS):
        cls = VertexContextOverflowError
    hint = _hint(code, description, location)
    message = f"Vertex AI returned HTTP {code} {description}"
    if hint:
        message = f"{message} -> {hint}"
    return cls(message, response=error.response, body=error.body)


def translate_error(error: Exception, *, location: str | None = None) -> Exception:
    """Map an exception from the `openai` SDK to this package's exception classes.

    Exceptions that are not the SDK's (including ours) are returned unchanged.
    """
    if isinstance(error, ModelError):
        return error
    if isinstance(error, openai.APIStatusError):
        return translate_status_error(error, location=location)
    if isinstance(error, openai.APITimeoutError):
        return VertexTimeoutError(request=error.request)
    if isinstance(error, openai.APIConnectionError):
        cause = error.__cause__
        detail = f" ({type(cause).__name__}: {cause})" if cause else ""
        return VertexConnectionError(
            message=f"Connection to Vertex AI failed{detail}.", request=error.request
        )
    if isinstance(error, openai.APIError):
        # An error event inside a 200 stream (the SDK raises a bare APIError for it).
        inner = google_error(error.body)
        detail = f"{inner.get('status')}: {inner.get('message')}" if inner else error.message
        return VertexResponseError(
            f"Vertex AI reported an error in the response: {detail}",
            error.request,
            body=error.body,
        )
    return error


def no_choices_error(completion: object) -> VertexResponseError:
    """The error for a 200 body that is not a chat completion (no `choices` list)."""
    inner = google_error(completion)
    # Set after construction, so not scrubbed with the rest: a server may echo the token.
    # Also cut to a depth that prints and pickles (hostile nesting).
    raw = redact_data(completion)
    detail = f"{inner.get('status')}: {inner.get('message')}" if inner else str(raw)
    msg = f"Vertex AI answered 200 without choices: {detail[:300]}"
    error = VertexResponseError(msg, _REQUEST, body=completion)
    error.raw = raw
    return error


def _google_detail(inner: dict[str, Any]) -> str:
    status = inner.get("status")
    message = inner.get("message")
    return f"{status}: {message}" if status else str(message)


def malformed_answer_error(problem: str, raw: object) -> VertexResponseError:
    """The error for a 200 answer (or stream event) that is not shaped as it should be.

    Args:
        problem: What is wrong, naming the piece (`choices[0].message is a string`).
        raw: The offending piece, kept on the error as `raw`.
    """
    first = raw[0] if isinstance(raw, list) and raw else raw
    inner = first.get("error") if isinstance(first, dict) else None
    if isinstance(inner, dict):
        # A list-shaped error event inside a stream (the SDK only detects objects).
        msg = f"Vertex AI reported an error in the response: {_google_detail(inner)}"
    else:
        msg = f"Vertex AI sent a malformed answer: {problem}"
    error = VertexResponseError(msg, _REQUEST, body=raw if inner is not None else None)
    error.raw = redact_data(raw)  # as in no_choices_error
    return error


_SSE_FIELDS = ("data:", "event:", "id:", "retry:", ":")


def non_stream_answer_error(response: httpx2.Response) -> VertexResponseError | None:
    """The error for a 200 answer to a stream request that is not a stream, else None.

    Vertex streams are `text/event-stream` (docs/vertex-facts.md §7); a body labelled
    otherwise whose text does not start like server-sent events (a JSON completion or
    error, a proxy's page) would read as a stream of no events. Call after reading the
    body, and only for answers not labelled `text/event-stream`.
    """
    text = response.text
    if text.lstrip().startswith(_SSE_FIELDS):
        return None  # events under another label: read as a stream
    kind = response.headers.get("content-type") or "no content-type"
    parsed = _json_or_none(text) if text.lstrip()[:1] in ("{", "[") else None
    inner = google_error(parsed)
    if inner is not None:
        msg = (
            "Vertex AI answered the stream request with an error instead of a stream "
            f"(HTTP {response.status_code}, {kind}): {_google_detail(inner)}"
        )
    elif parsed is not None and isinstance(parsed, dict) and "error" in parsed:
        msg = (
            "Vertex AI answered the stream request with an error instead of a stream "
            f"(HTTP {response.status_code}, {kind}): {_not_googles(parsed, text)}"
        )
    else:
        excerpt = _SPACE_RE.sub(" ", text).strip()[:200] or "(empty body)"
        msg = (
            f"Vertex AI answered the stream request with a body that is not a stream "
            f"(HTTP {response.status_code}, {kind}, not text/event-stream): {excerpt}. A "
            "proxy or gateway that does not pass streams through, or a wrong base_url?"
        )
    error = VertexResponseError(msg, _REQUEST, body=parsed)
    error.raw = redact_data(parsed if parsed is not None else text[:1000])
    return error


def incomplete_stream_error(chunk_count: int) -> VertexConnectionError:
    """The error for a stream that ended without a finish reason."""
    msg = (
        f"The Vertex AI stream ended after {chunk_count} chunks without a "
        "finish_reason; the answer is incomplete."
    )
    return VertexConnectionError(message=msg, request=_REQUEST)


class _StreamProgress(Protocol):
    chunk_count: int


class _TokenSource(Protocol):
    def cached_tokens(self) -> list[str]: ...


@contextlib.contextmanager
def vertex_errors(
    *,
    location: str | None,
    stream: _StreamProgress | None,
    provider: _TokenSource | None = None,
) -> Iterator[None]:
    """Re-raise whatever a call to Vertex raises as this package's exceptions.

    The SDK's exception is not chained (`from None`), and is scrubbed before it becomes
    our error's (hidden) `__context__`: it held the live request, with the bearer token,
    and its text quotes the raw body. Ours carries what it said, redacted.

    Args:
        location: The model's location, for hints (e.g. try `global`).
        stream: The progress of a stream being read, if any: a connection lost after
            chunks arrived means the answer is incomplete.
        provider: Where the request's token came from, asked for its tokens only on an
            error: our own errors (a malformed 200 answer or stream event) keep no
            request to find the token in, and a server may echo it into what they quote.
    """
    try:
        with _translated(location=location, stream=stream):
            yield
    except ModelError as error:
        if provider is not None:
            scrub_exception_chain(error, provider.cached_tokens())
        raise


@contextlib.contextmanager
def _translated(*, location: str | None, stream: _StreamProgress | None) -> Iterator[None]:
    try:
        yield
    except ModelError:
        raise  # already ours (e.g. VertexAuthError from a failed token refresh)
    except (openai.APIConnectionError, httpx2.TransportError) as error:
        timed_out = isinstance(error, openai.APITimeoutError)
        if stream is None or stream.chunk_count == 0 or timed_out:
            translated = translate_error(error, location=location)
            scrub_exception_chain(error)
            raise translated from None
        cause = error.__cause__ if isinstance(error, openai.OpenAIError) else error
        broken = VertexConnectionError(
            message=(
                f"The connection to Vertex AI broke mid-stream after {stream.chunk_count} "
                f"chunks ({type(cause).__name__}: {cause}); the answer is incomplete."
            ),
            request=error.request,
        )
        scrub_exception_chain(error)
        raise broken from None
    except openai.OpenAIError as error:
        translated = translate_error(error, location=location)
        scrub_exception_chain(error)
        raise translated from None
    except json.JSONDecodeError as error:
        scrub_exception_chain(error)  # chained below, its `doc` quotes what a server echoed
        raise VertexResponseError(
            f"Vertex AI answered with a body that is not valid JSON ({error.msg}): "
            f"{error.doc[:200]!r}",
            _REQUEST,
            body=None,
        ) from error
    except UnicodeDecodeError as error:
        undecodable = VertexResponseError(
            f"Vertex AI answered with a body that is not valid UTF-8 ({error.reason} at byte "
            f"{error.start}): {error.object[max(0, error.start - 40) : error.start + 40]!r}",
            _REQUEST,
            body=None,
        )
        # Chained below, the decoder's error holds the whole body, which may quote a secret.
        error.object = b""
        error.args = (error.encoding, b"", *error.args[2:])
        raise undecodable from error
    except RecursionError as error:
        # The json decoder gives up on arrays/objects nested thousands deep (a hostile or
        # broken upstream); the answer cannot be read, which is not a bug of the caller.
        raise VertexResponseError(
            "Vertex AI answered with JSON nested too deeply to read.", _REQUEST, body=None
        ) from error
