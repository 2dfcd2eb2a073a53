"""Google OAuth access tokens for Vertex AI's OpenAI-compatible endpoint (no API keys)."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import google.auth
import google.auth.api_key
import google.auth.credentials
from google.auth import exceptions as gexc

from langchain_vertex_openai._secrets import redact_text, without_tokens

if TYPE_CHECKING:
    import httpx2

    from langchain_vertex_openai._errors import VertexAuthError

__all__ = [
    "CLOUD_PLATFORM_SCOPE",
    "PLACEHOLDER_API_KEY",
    "GoogleCredentialsProvider",
    "VertexAuthError",
    "reject_api_key",
]

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
PLACEHOLDER_API_KEY = "vertex-oauth-token-is-set-per-request"
"""Given to the openai client as `api_key`; the httpx auth replaces it on every request."""

logger = logging.getLogger(__name__)
# Per-process state that pickling leaves behind.
_RUNTIME_ATTRS = (
    "_lock",
    "_flight",
    "_inflight",
    "_transport",
    "_rejected",
    "_replaced",
    "refresh_count",
)
REFRESH_TIMEOUT = 30.0
"""Seconds a token refresh may take at most; a call's shorter `timeout` shortens it."""
_RETRY_DELAY = 0.25
"""First pause before retrying a refresh that failed in a retryable way; doubles each time."""

_ADC_HINT = (
    "run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS to a "
    "service-account key file, or pass credentials="
)


if not TYPE_CHECKING:  # mypy sees the import above, and still flags unknown names

    def __getattr__(name: str) -> Any:
        # `VertexAuthError` subclasses an `openai` class, so it lives with the other
        # exceptions in `_errors`, which imports `openai` only when first needed.
        if name == "VertexAuthError":
            from langchain_vertex_openai._errors import VertexAuthError

            return VertexAuthError
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _auth_error(message: str) -> VertexAuthError:
    from langchain_vertex_openai._errors import VertexAuthError

    return VertexAuthError(message)


def reject_api_key(value: str) -> None:
    """Raise if `value` is a Google API key rather than an OAuth access token.

    Args:
        value: A user-supplied token or credential string.

    Raises:
        VertexAuthError: If `value` looks like a Google API key (`AIza...`).
    """
    if value.strip().startswith("AIza"):
        raise _api_key_error()


def reject_api_key_credentials(credentials: object) -> None:
    """Raise if `credentials` is an API key: an `AIza...` string or `google.auth.api_key`.

    Raises:
        VertexAuthError: Naming OAuth credentials as the fix.
    """
    if isinstance(credentials, str):
        reject_api_key(credentials)
    if isinstance(credentials, google.auth.api_key.Credentials):
        raise _api_key_error()


def _api_key_error() -> VertexAuthError:
    return _auth_error(
        "Google API keys are not supported by Vertex AI's OpenAI-compatible endpoint "
        "(it answers 401 'API keys are not supported by this API'). Use OAuth "
        f"credentials instead: {_ADC_HINT}."
    )


def _redact(text: str) -> str:
    # google-auth's texts name URLs, hosts and files worth reading, and may quote tokens,
    # keys or a key file: hide the secrets, keep the rest.
    return redact_text(text, opaque_runs=True)[:500]


def _is_static_token(creds: object) -> bool:
    """Whether `creds` hold only an access token (`api_key=`), with nothing to refresh it."""
    import google.oauth2.credentials

    return (
        isinstance(creds, google.oauth2.credentials.Credentials)
        and not creds.refresh_token
        and getattr(creds, "refresh_handler", None) is None
    )


_EXPIRED_STATIC_HINT = (
    "The static access token (api_key=, or VERTEX_ACCESS_TOKEN) was rejected by Vertex AI "
    "(HTTP 401) or has expired, and it cannot be refreshed (such tokens last about an hour). "
    "Get a fresh one with `gcloud auth print-access-token`, or use credentials that refresh "
    "themselves: leave "
    "api_key unset to use application-default credentials (`gcloud auth application-default "
    "login`, or the attached service account), or pass credentials= (a service account, for "
    "example)."
)


def _refresh_error(exc: Exception, creds: object) -> VertexAuthError:
    if _is_static_token(creds):
        # google-auth's own message asks for refresh_token, token_uri, client_id and
        # client_secret, which a user who passed a token never had.
        return _auth_error(_EXPIRED_STATIC_HINT)
    reason = _redact(str(exc))
    hint = "If the login expired or needs reauth, run `gcloud auth application-default login`"
    if "scope" in reason.lower():
        hint += f"; make sure the credentials carry the {CLOUD_PLATFORM_SCOPE} scope"
    return _auth_error(
        f"Refreshing Google credentials ({type(creds).__name__}) failed: "
        f"{type(exc).__name__}: {reason}. {hint}."
    )


def _retryable(exc: Exception) -> bool:
    # google-auth's own verdict: transport failures, and refresh errors it marks retryable
    # (5xx from the token endpoint, metadata server hiccups).
    return isinstance(exc, gexc.TransportError) or bool(getattr(exc, "retryable", False))


def _refresh_deadline(timeout: float | None) -> float:
    budget = REFRESH_TIMEOUT if timeout is None else min(timeout, REFRESH_TIMEOUT)
    return time.monotonic() + budget


def _not_in_time(started: float) -> VertexAuthError:
    return _auth_error(
        f"Google credentials were not refreshed within {time.monotonic() - started:.1f} s: "
        "the token endpoint (or the metadata server) did not answer in time. Check that it "
        "is reachable from here, or raise the call's timeout."
    )


class _Flight:
    """One token refresh in progress, and its outcome for every caller waiting on it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.token: str | None = None
        self.error: str | BaseException | None = None


@functools.cache
def _bounded_session_class(session_class: type) -> type:
    """`session_class` (a `requests.Session`) with each request's timeout cut to `deadline`.

    google-auth waits up to 120 s per request by default; a silent token endpoint or an
    unreachable metadata server must not hold a call longer than its own timeout. It is
    the session (not google-auth's `Request`) that is bounded, so credentials that insist
    on google-auth's own `Request`, or mount adapters on its session, still get one.
    """

    class BoundedSession(session_class):  # type: ignore[misc]
        deadline: float | None = None

        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            if self.deadline is not None:
                left = max(self.deadline - time.monotonic(), 0.001)
                timeout = kwargs.get("timeout")
                if timeout is None:
                    kwargs["timeout"] = left
                elif isinstance(timeout, tuple):  # (connect, read)
                    kwargs["timeout"] = tuple(min(part, left) for part in timeout)
                else:
                    kwargs["timeout"] = min(timeout, left)
            return super().request(method, url, *args, **kwargs)

    return BoundedSession


def _bounded_request() -> Any:
    """google-auth's `requests` transport (imported on first use: it loads slowly)."""
    from google.auth.transport import requests as google_requests

    request = google_requests.Request()
    default = getattr(request, "session", None)
    if default is not None:
        session_class: type = type(default)
        request.session = _bounded_session_class(session_class)()
        default.close()
    return request


def _set_deadline(request: Any, deadline: float) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.deadline = deadline


_PROVIDERS: weakref.WeakSet[GoogleCredentialsProvider] = weakref.WeakSet()
_INHERITED: list[object] = []
"""A forked child's copies of its parent's token sessions: kept, never used or closed."""


def _after_fork_in_child() -> None:
    for provider in list(_PROVIDERS):
        provider._forget_parent_runtime()


os.register_at_fork(after_in_child=_after_fork_in_child)


class GoogleCredentialsProvider:
    """Thread- and asyncio-safe source of Google OAuth access tokens for Vertex AI.

    Nothing is looked up at construction. Application-default credentials (ADC) are
    resolved on first use; a stale token is refreshed once however many threads or
    coroutines ask for it at the same time, within the callers' timeouts. After
    `os.fork()` the child makes its own lock and HTTP session and never waits on a
    refresh the parent had in flight.
    """

    def __init__(
        self,
        credentials: google.auth.credentials.Credentials | None = None,
        *,
        scopes: Sequence[str] = (CLOUD_PLATFORM_SCOPE,),
        quota_project: str | None = None,
    ) -> None:
        """Create a provider.

        Args:
            credentials: Explicit google-auth credentials; `None` uses application-default
                credentials, resolved lazily.
            scopes: OAuth scopes applied to credentials that require scoping.
            quota_project: Project sent as `x-goog-user-project` for quota and billing.

        Raises:
            VertexAuthError: If `credentials` is an API key (string or `google.auth.api_key`).
            TypeError: If `credentials` is some other string.
        """
        reject_api_key_credentials(credentials)
        if isinstance(credentials, str):
            raise TypeError("credentials must be google.auth.credentials.Credentials, not a string")
        self._scopes = tuple(scopes)
        self._explicit_quota_project = quota_project
        self._adc = credentials is None
        self._credentials: Any = None
        if credentials is not None:
            with_scopes = cast(Any, google.auth.credentials).with_scopes_if_required
            self._credentials = with_scopes(credentials, self._scopes)
        self._setup_runtime()

    def _setup_runtime(self) -> None:
        self._lock = threading.Lock()  # held only to read or start `_flight`, never for I/O
        self._flight: _Flight | None = None
        self._inflight: dict[asyncio.AbstractEventLoop, asyncio.Future[str]] = {}
        self._transport: tuple[int, Any] | None = None  # (pid, _bounded_request())
        self._rejected: str | None = None
        self._replaced: str | None = None  # the token before the last refresh
        self._adc_project: str | None = None
        self.refresh_count = 0
        _PROVIDERS.add(self)

    def _forget_parent_runtime(self) -> None:
        # In a forked child: the lock may have been held by a parent thread, the flight and
        # futures belong to threads and loops that do not exist here, and the session's
        # sockets are the parent's.
        if self._flight is not None and self._credentials is not None:
            # A refresh was running: the cached token may be half-written; get a new one.
            self._rejected = self._credentials.token
        self._lock = threading.Lock()
        self._flight = None
        self._inflight = {}
        if self._transport is not None:
            _INHERITED.append(self._transport)
        self._transport = None

    @property
    def quota_project(self) -> str | None:
        """The quota project: the explicit one, else the resolved credentials' own."""
        if self._explicit_quota_project:
            return self._explicit_quota_project
        return cast("str | None", getattr(self._credentials, "quota_project_id", None))

    @property
    def project_id(self) -> str | None:
        """The credentials' project, resolving ADC (blocking) if needed; `None` if unknown.

        Raises:
            VertexAuthError: If application-default credentials cannot be found.
        """
        if self._adc:
            if self._credentials is None:
                with self._lock:
                    self._ensure_credentials()
            return self._adc_project
        creds = self._credentials
        return cast(
            "str | None",
            getattr(creds, "project_id", None) or getattr(creds, "quota_project_id", None),
        )

    def _fresh_token(self) -> str | None:
        creds = self._credentials
        if creds is None:
            return None
        token = creds.token
        if not token or not creds.valid or token == self._rejected:
            return None
        return cast(str, token)

    def token(self, *, timeout: float | None = None, retries: int = 0) -> str:
        """Return a currently valid access token, refreshing it (blocking) if stale.

        Args:
            timeout: Seconds the refresh (or the wait for another caller's) may take;
                at most `REFRESH_TIMEOUT` (30 s), which is also the default.
            retries: Further attempts after a failure google-auth calls retryable
                (a transport error, a 5xx from the token endpoint), within `timeout`.

        Raises:
            VertexAuthError: If credentials cannot be found or refreshed in time.
        """
        return self._fresh_token() or self._refresh_blocking(_refresh_deadline(timeout), retries)

    async def atoken(self, *, timeout: float | None = None, retries: int = 0) -> str:
        """Return a currently valid access token without blocking the event loop.

        Args:
            timeout: As for `token()`.
            retries: As for `token()`.

        Raises:
            VertexAuthError: If credentials cannot be found or refreshed in time.
        """
        token = self._fresh_token()
        if token:
            return token
        started = time.monotonic()
        deadline = _refresh_deadline(timeout)
        loop = asyncio.get_running_loop()
        future = self._inflight.get(loop)
        if future is None or future.done():
            future = loop.create_task(asyncio.to_thread(self._refresh_blocking, deadline, retries))
            self._inflight[loop] = future
            future.add_done_callback(lambda f: self._refresh_done(loop, f))
        # The refresh belongs to every waiter on this loop: one cancelled (or timed-out)
        # caller must not cancel it for the rest.
        try:
            return await asyncio.wait_for(asyncio.shield(future), deadline - time.monotonic())
        except TimeoutError:
            raise _not_in_time(started) from None

    def _refresh_done(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[str]) -> None:
        if self._inflight.get(loop) is future:
            del self._inflight[loop]
        if not future.cancelled():
            # Mark the error retrieved even if every waiter was cancelled, so asyncio does
            # not log it (with its traceback) at garbage collection.
            future.exception()

    def cached_tokens(self) -> list[str]:
        """The access tokens held now: the current one, and the one before it; no I/O.

        For hiding them from errors: a server may echo the token it was sent anywhere, in
        any shape, and a static token (`api_key=`) has no shape to be recognised by. The
        one before covers a request whose answer arrives after a refresh replaced it.
        """
        tokens = (getattr(self._credentials, "token", None), self._rejected, self._replaced)
        return [token for token in tokens if isinstance(token, str) and token]

    def invalidate(self, token: str) -> None:
        """Report that the server rejected `token` (HTTP 401).

        The next `token()` refreshes, unless a refresh already replaced `token`, in which
        case this is a no-op: many concurrent 401s for one token cause one refresh.

        Args:
            token: The access token the server rejected.
        """
        creds = self._credentials
        if creds is not None and creds.token == token:
            self._rejected = token

    def _refresh_blocking(self, deadline: float, retries: int = 0) -> str:
        """Refresh, or wait for the refresh another caller started; both until `deadline`.

        Callers that wait get the refresher's outcome (its token, or its error) rather
        than starting another refresh behind it.
        """
        started = time.monotonic()
        with self._lock:
            token = self._fresh_token()
            if token:
                return token
            flight, leading = self._flight, self._flight is None
            if flight is None:
                flight = self._flight = _Flight()
        if leading:
            # The refresh runs in a thread of its own, and every caller (this one too)
            # waits for it only until its own deadline: google-auth sleeps between its
            # own retries (1 + 2 + 4 + 8 s against an unreachable metadata server), and
            # cutting each request's timeout cannot shorten those sleeps.
            threading.Thread(
                target=self._fly, args=(flight, deadline, retries), daemon=True
            ).start()
        if not flight.done.wait(max(deadline - time.monotonic(), 0.0)):
            raise _not_in_time(started)
        if flight.error is not None:
            if isinstance(flight.error, str):
                raise _auth_error(flight.error)  # a new one per caller: no shared traceback
            raise flight.error
        return cast(str, flight.token)

    def _fly(self, flight: _Flight, deadline: float, retries: int) -> None:
        try:
            flight.token = self._refresh(deadline, retries)
        except BaseException as error:  # the thread ends here: its callers get the error
            from langchain_vertex_openai._errors import VertexAuthError

            # Ours carry only a message, already redacted; anything else (a bug) is
            # handed on as it is.
            flight.error = str(error) if isinstance(error, VertexAuthError) else error
        finally:
            with self._lock:
                if self._flight is flight:
                    self._flight = None
            flight.done.set()

    def _refresh(self, deadline: float, retries: int) -> str:
        creds = self._ensure_credentials()
        token = self._fresh_token()
        if token:
            return token
        logger.debug("refreshing Google credentials (%s)", type(creds).__name__)
        self._replaced = creds.token
        transport = self._google_transport()
        for attempt in range(retries + 1):
            error: VertexAuthError | None = None
            retryable = False
            _set_deadline(transport, deadline)
            try:
                creds.refresh(transport)
            except Exception as exc:
                retryable = _retryable(exc)
                error = _refresh_error(exc, creds)
            # Raised outside the except block so `__context__` cannot leak google-auth's
            # exception, whose text may carry tokens or key material.
            if error is None:
                break
            pause = _RETRY_DELAY * 2**attempt
            if not retryable or attempt == retries or time.monotonic() + pause >= deadline:
                raise error
            logger.debug("retrying the refresh in %.2f s (%s)", pause, error)
            time.sleep(pause)
        self.refresh_count += 1
        self._rejected = None
        token = creds.token
        if not isinstance(token, str) or not token:
            raise _auth_error(
                f"Refreshing Google credentials ({type(creds).__name__}) returned no token."
            )
        return token

    def _google_transport(self) -> Any:
        # One requests.Session, used by one refresh at a time (the flight's leader) with
        # timeouts cut to its deadline; recreated after fork so sockets aren't shared.
        if self._transport is None or self._transport[0] != os.getpid():
            self._transport = (os.getpid(), _bounded_request())
        return self._transport[1]

    def close(self) -> None:
        """Close the HTTP session used for refreshes (a later refresh opens a new one)."""
        transport, self._transport = self._transport, None
        if transport is not None and transport[0] == os.getpid():
            transport[1].session.close()

    def _ensure_credentials(self) -> Any:
        if self._credentials is not None:
            return self._credentials
        error: VertexAuthError | None = None
        try:
            default = cast(Any, google.auth).default
            request = self._google_transport()
            _set_deadline(request, time.monotonic() + REFRESH_TIMEOUT)
            creds, project = default(scopes=list(self._scopes), request=request)
        except Exception as exc:
            what = (
                "No Google application-default credentials found"
                if isinstance(exc, gexc.DefaultCredentialsError)
                else f"Looking up application-default credentials failed ({type(exc).__name__})"
            )
            error = _auth_error(f"{what}: {_redact(str(exc))} To fix: {_ADC_HINT}.")
        # Raised outside the except block: see _refresh_blocking.
        if error is not None:
            raise error
        self._adc_project = project
        self._credentials = creds
        return creds

    def httpx_auth(self) -> httpx2.Auth:
        """Return an `httpx2.Auth` that sets the bearer token and retries once on a 401.

        Returns:
            An auth object for `httpx2.Client(auth=...)` or `httpx2.AsyncClient(auth=...)`.
        """
        from langchain_vertex_openai._httpx_auth import VertexHttpxAuth

        return VertexHttpxAuth(self)

    def __repr__(self) -> str:
        creds = self._credentials
        kind = type(creds).__name__ if creds is not None else "application-default (unresolved)"
        expiry = getattr(creds, "expiry", None)
        return (
            f"{type(self).__name__}(credentials={kind}, scopes={self._scopes!r}, "
            f"quota_project={self.quota_project!r}, "
            f"token_cached={getattr(creds, 'token', None) is not None}, "
            f"expiry={expiry.isoformat() if expiry else None})"
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        # Runtime state only: locks, futures, the HTTP session and metrics stay behind.
        for key in _RUNTIME_ATTRS:
            state.pop(key)
        if self._adc:
            # Re-resolved on the unpickling machine, whose environment is what counts.
            state["_credentials"] = None
            state.pop("_adc_project")
        elif self._credentials is not None:
            # No access token travels (nor a source identity's): the copy refreshes its
            # own. Refresh tokens and keys stay, being what refreshing needs.
            state["_credentials"] = without_tokens(self._credentials)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._setup_runtime()
        self.__dict__.update(state)
