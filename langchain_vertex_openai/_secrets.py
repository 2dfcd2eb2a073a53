"""Keeping tokens and keys out of exception texts, recorded requests and pickles.

One place for what counts as a secret and how it is hidden:

- text (error messages, bodies a server or proxy echoes back): bearer tokens, Google access
  tokens (`ya29.`), API keys (`AIza`), JWTs, private keys, and secret-named URL query
  parameters are replaced by `<redacted>`; hosts, paths and Google's messages stay readable;
- HTTP requests and responses kept by exceptions: copies without secret headers
  (`Authorization`, `x-goog-api-key`, cookies, ...), secret query parameters, URL user
  info or request body;
- google-auth credentials about to be pickled: copies without access, ID or reauth tokens
  (recursively, so impersonated credentials' source credentials lose theirs too). Refresh
  tokens and private keys stay: they are what lets the unpickled copy refresh on its own.

Nothing here imports `openai` or `httpx2` at module level: `auth` uses it on import.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2

REDACTED = "<redacted>"
# Header names whose values are credentials. A name matching _SECRET_NAME is too.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_NAME = re.compile(r"(api[-_]?key|^key$|token|secret|password|passwd|signature)", re.I)
# Headers describing a body that the safe copy no longer has in that form.
_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

_TEXT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN[^-]*-----.*?(-----END[^-]*-----|\Z)", re.S), "<redacted key>"),
    (re.compile(r"""(["']private_key["']\s*:\s*)(["']).*?(\2|\Z)""", re.S), rf"\1{REDACTED}"),
    # A credential after "Bearer" (8+ token characters: not a word of a sentence).
    (re.compile(r"\b(Bearer)\s+[\w.~+/=\-]{8,}", re.I), rf"\1 {REDACTED}"),
    (re.compile(r"ya29\.[\w.\-]+"), f"ya29.{REDACTED}"),
    (re.compile(r"AIza[\w\-]{20,}"), REDACTED),
    (re.compile(r"\beyJ[\w\-]{8,}\.[\w\-]{8,}\.[\w\-]*"), REDACTED),
    # `?key=...`, `&access_token=...` in URLs quoted by an error text.
    (
        re.compile(r"([?&;](?:key|api[-_]?key|access_token|token|signature)=)[^&#\s\"']+", re.I),
        rf"\1{REDACTED}",
    ),
)
# Long runs of letters and digits (tokens, refresh tokens, key parts) in text that may quote
# credentials (google-auth errors). `/` and `.` end a run, so URLs, hosts and paths stay
# readable; plain words have no digits and stay too.
_OPAQUE_RUN = re.compile(r"(?=[\w+\-]*\d)(?=[\w+\-]*[A-Za-z])[\w+\-]{32,}={0,2}")


_MIN_SECRET = 8
"""Known secrets shorter than this are not hunted (they would match ordinary words)."""
# What follows an excerpt cut short in our error texts (`...`, a closing quote, the hint),
# and what precedes one cut at its start (an opening quote).
_CUT_ENDS = ("...", "'", '"', " -> ")
_CUT_STARTS = ("'", '"')


def _without_secret(text: str, secret: str) -> str:
    """`text` with `secret` replaced, and any piece of it where an excerpt was cut.

    Error texts quote bodies cut to a few hundred characters, so a cut may fall inside an
    echoed secret: a first (or last) `_MIN_SECRET`+ characters of it that end (or start)
    where a cut excerpt does are hidden too.
    """
    head, tail = secret[:_MIN_SECRET], secret[-_MIN_SECRET:]
    spans: list[tuple[int, int]] = []
    start = text.find(head)
    while start != -1:
        end = start + _MIN_SECRET
        while end < len(text) and end - start < len(secret) and text[end] == secret[end - start]:
            end += 1
        if end - start == len(secret) or end == len(text) or text.startswith(_CUT_ENDS, end):
            spans.append((start, end))
        start = text.find(head, end)
    end = text.find(tail)
    while end != -1:
        start, index = end, len(secret) - _MIN_SECRET
        while start > 0 and index > 0 and text[start - 1] == secret[index - 1]:
            start, index = start - 1, index - 1
        if start == 0 or text[start - 1] in _CUT_STARTS:
            spans.append((start, end + _MIN_SECRET))
        end = text.find(tail, end + _MIN_SECRET)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, kept = [], 0
    for start, end in merged:
        pieces += [text[kept:start], REDACTED]
        kept = end
    return "".join(pieces) + text[kept:]


def redact_text(text: str, known: Iterable[str] = (), *, opaque_runs: bool = False) -> str:
    """Return `text` with secrets replaced by `<redacted>`.

    Args:
        text: Any text that may quote a credential.
        known: Secret values to remove wherever they appear (e.g. the token a request
            carried, which an echoing server may put anywhere).
        opaque_runs: Also hide any long run of mixed letters and digits; for text that
            can only contain credentials' own words (google-auth errors), not for
            Vertex's messages, which quote ids and signatures users need to see.
    """
    hunted = {s for s in known if len(s) >= _MIN_SECRET and REDACTED not in s}
    for secret in sorted(hunted, key=len, reverse=True):
        if secret[:_MIN_SECRET] in text or secret[-_MIN_SECRET:] in text:
            text = _without_secret(text, secret)
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    if opaque_runs:
        text = _OPAQUE_RUN.sub(REDACTED, text)
    return text


MAX_DEPTH = 64
"""Levels of nesting an error keeps of a JSON-like value (an answer's body or piece)."""
CUT = f"<cut: nested more than {MAX_DEPTH} levels deep>"
"""What stands for the part of a value nested deeper than `MAX_DEPTH`."""


def redact_data(value: Any, known: Iterable[str] = ()) -> Any:
    """Return a JSON-like value (e.g. an error body) with every string redacted.

    Lists and objects nested deeper than `MAX_DEPTH` are replaced by `CUT`: an error
    quoting a hostile answer must still pickle (pickle recurses, and fails some 900
    levels down) and print.
    """
    known = tuple(known)
    # Iterative, not recursive: a hostile answer nests thousands deep, and the error
    # quoting it must still build.
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    sequences: list[tuple[Any, Any, type, list[Any]]] = []
    while pending:
        item, holder, slot, depth = pending.pop()
        if isinstance(item, str):
            holder[slot] = redact_text(item, known)
        elif isinstance(item, (dict, list, tuple)) and depth >= MAX_DEPTH:
            holder[slot] = CUT
        elif isinstance(item, dict):
            # Keys too: an echo may be keyed by what it echoes.
            keys = [redact_text(key, known) if isinstance(key, str) else key for key in item]
            holder[slot] = scrubbed = dict.fromkeys(keys)
            pending += [
                (child, scrubbed, key, depth + 1)
                for key, child in zip(keys, item.values(), strict=True)
            ]
        elif isinstance(item, (list, tuple)):
            items = list(item)
            sequences.append((holder, slot, type(item), items))
            pending += [(child, items, index, depth + 1) for index, child in enumerate(item)]
        else:
            holder[slot] = item
    for holder, slot, kind, items in reversed(sequences):  # innermost first
        holder[slot] = items if kind is list else kind(items)
    return root[0]


def is_secret_name(name: str) -> bool:
    """Whether a header or query parameter named `name` carries a credential."""
    return name.lower() in _SECRET_HEADERS or bool(_SECRET_NAME.search(name))


def secrets_of(request: httpx2.Request | None) -> list[str]:
    """The credential values a request carries (headers, query, URL password)."""
    if request is None:
        return []
    found: list[str] = []
    for name, value in request.headers.items():
        if is_secret_name(name):
            # `Bearer <token>`: the token is the secret (and what an echo may quote alone).
            scheme, _, credential = value.partition(" ")
            found.append(credential.strip() if credential and scheme.isalpha() else value)
    for name, value in request.url.params.multi_items():
        if is_secret_name(name):
            found.append(value)
    if request.url.password:
        found.append(request.url.password)
    return found


def _safe_headers(headers: Any, known: Iterable[str]) -> list[tuple[str, str]]:
    return [
        (name, REDACTED if is_secret_name(name) else redact_text(value, known))
        for name, value in headers.items()
        if name.lower() not in _BODY_HEADERS
    ]


def safe_request(request: httpx2.Request, known: Iterable[str] = ()) -> httpx2.Request:
    """A copy of `request` fit to keep in an exception: no credentials, no body."""
    import httpx2

    known = [*known, *secrets_of(request)]
    url = request.url
    params = [
        (name, REDACTED if is_secret_name(name) else value)
        for name, value in url.params.multi_items()
    ]
    url = url.copy_with(userinfo=b"", params=params) if params else url.copy_with(userinfo=b"")
    return httpx2.Request(request.method, url, headers=_safe_headers(request.headers, known))


def safe_response(response: httpx2.Response, known: Iterable[str] = ()) -> httpx2.Response:
    """A copy of `response` without credentials in its request, headers or body."""
    import httpx2

    request = response._request  # the property raises when there is none
    known = [*known, *secrets_of(request)]
    try:
        text = response.text
    except httpx2.ResponseNotRead:
        text = ""
    return httpx2.Response(
        response.status_code,
        headers=_safe_headers(response.headers, known),
        content=redact_text(text, known).encode(),
        request=safe_request(request, known) if request is not None else None,
    )


def _http_secrets(values: Iterable[Any]) -> list[str]:
    import httpx2

    known: list[str] = []
    for value in values:
        if isinstance(value, httpx2.Request):
            known += secrets_of(value)
        elif isinstance(value, httpx2.Response) and value._request is not None:
            known += secrets_of(value._request)
    return known


def scrub_state(state: dict[str, Any], known: Iterable[str] = ()) -> dict[str, Any]:
    """Return an exception's `__dict__` with requests, responses and texts made safe.

    Every attribute is kept (so attributes added by subclasses travel too); only HTTP
    objects are replaced by safe copies and strings, lists and dicts redacted.
    """
    import httpx2

    known = [*known, *_http_secrets(state.values())]
    scrubbed: dict[str, Any] = {}
    for name, value in state.items():
        if isinstance(value, httpx2.Request):
            scrubbed[name] = safe_request(value, known)
        elif isinstance(value, httpx2.Response):
            scrubbed[name] = safe_response(value, known)
        else:
            scrubbed[name] = redact_data(value, known)
    return scrubbed


def scrub_exception_chain(error: BaseException, known: Iterable[str] = ()) -> None:
    """Scrub, in place, `error` and every exception chained to it (causes, contexts).

    For an SDK or transport exception we are about to replace with ours: it stays
    reachable as our error's `__context__`, holding the live request (with the bearer
    token) and, for a status error, a text quoting the raw body a server may have echoed
    the token into. Also for our own errors, with `known` the secrets the request carried
    (which they cannot see: they keep no request of their own).
    """
    chain: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is seen for seen in chain):
            continue
        chain.append(current)
        pending += [current.__cause__, current.__context__]
    known = [*known, *(secret for exc in chain for secret in _http_secrets(vars(exc).values()))]
    for exc in chain:
        exc.__dict__.update(scrub_state(vars(exc), known))
        exc.args = redact_data(exc.args, known)


def _rebuild_error(cls: type[BaseException], args: tuple[Any, ...]) -> BaseException:
    # `__init__` is not called: the SDK's classes need a live response to build, and the
    # state (restored by pickle right after) already holds everything `__init__` set.
    return cls.__new__(cls, *args)


class SafeErrorMixin(BaseException):
    """Keeps an exception free of credentials, live or pickled, and able to unpickle.

    On construction, the request and response it keeps are replaced by safe copies and its
    texts redacted (a server may echo the bearer token it was sent). Pickling rebuilds the
    exception from its class, arguments and attributes without calling `__init__`, so
    classes whose `__init__` takes other arguments than `args` (the `openai` SDK's) load
    again, with every attribute, in another process.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scrub()

    def _scrub(self) -> None:
        known = _http_secrets(vars(self).values())
        self.__dict__.update(scrub_state(vars(self), known))
        self.args = redact_data(self.args, known)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), redact_data(self.args)), scrub_state(vars(self)))


_TOKEN_ATTRIBUTES = ("token", "_id_token", "_rapt_token")


def without_tokens(credentials: Any, _memo: dict[int, Any] | None = None) -> Any:
    """Return a shallow copy of google-auth `credentials` holding no live token.

    Access, ID and reauth-proof tokens and their expiry are cleared, here and in every
    credentials object it holds (an impersonated identity's source credentials, a
    service account's self-signed JWT credentials...). The original is left untouched.
    """
    import google.auth.credentials

    memo = {} if _memo is None else _memo
    if id(credentials) in memo:
        return memo[id(credentials)]
    scrubbed = copy.copy(credentials)
    memo[id(credentials)] = scrubbed
    for name, value in list(vars(scrubbed).items()):
        if name in _TOKEN_ATTRIBUTES and value is not None:
            setattr(scrubbed, name, None)
        elif isinstance(value, google.auth.credentials.Credentials):
            setattr(scrubbed, name, without_tokens(value, memo))
    if "expiry" in vars(scrubbed):
        scrubbed.expiry = None
    return scrubbed
