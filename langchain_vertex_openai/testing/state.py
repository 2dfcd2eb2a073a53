"""Thread-safe server state: issued OAuth tokens and issued thought signatures.

Also how recorded requests show their credentials: hidden.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from collections.abc import ItemsView, Iterable, Iterator, KeysView, ValuesView

HIDDEN = "<hidden>"
_SECRET_HEADER = re.compile(
    r"^(authorization|proxy-authorization|cookie)$|api[-_]?key|token|secret|password", re.I
)
_SECRET_QUERY = re.compile(r"([?&;](?:key|api[-_]?key|access_token|token)=)[^&#]*", re.I)


class RecordedHeaders:
    """Request headers (lower-case names) whose repr hides credentials.

    Read like a dict (``headers["authorization"]`` is the value sent, ``get``, ``in``,
    ``items()``, ``dict(headers)``) and equal to a dict with the same items; only its repr,
    and so the repr of ``emulator.requests``, masks ``Authorization``, ``x-goog-api-key``
    and other secret-named headers. Deliberately not a ``Mapping``: pytest's failure diffs
    list a mapping's items one by one, but show anything else through its repr.

    Args:
        items: The headers, names lower-cased.
    """

    def __init__(self, items: Iterable[tuple[str, str]] | dict[str, str] = ()) -> None:
        self._items = dict(items)

    def __getitem__(self, name: str) -> str:
        return self._items[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of header ``name`` (lower-case), or ``default``."""
        return self._items.get(name, default)

    def keys(self) -> KeysView[str]:
        """Header names."""
        return self._items.keys()

    def values(self) -> ValuesView[str]:
        """Header values, as sent."""
        return self._items.values()

    def items(self) -> ItemsView[str, str]:
        """``(name, value)`` pairs, as sent."""
        return self._items.items()

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordedHeaders):
            return self._items == other._items
        return self._items == other

    # Unhashable, like the dict it stands for.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = {
            name: HIDDEN if _SECRET_HEADER.search(name) else value
            for name, value in self._items.items()
        }
        return repr(shown)


def hide_query_secrets(path: str) -> str:
    """``path`` with the values of ``key=``, ``access_token=``... query parameters hidden.

    Args:
        path: A request path with its query string.

    Returns:
        The path to show.
    """
    return _SECRET_QUERY.sub(rf"\1{HIDDEN}", path)


def new_token() -> str:
    """A fresh token that looks like a Google OAuth access token (``ya29.`` prefix).

    Returns:
        The token string.
    """
    return "ya29.emu-" + secrets.token_urlsafe(48)


def new_signature() -> str:
    """A fresh thought signature: standard base64 of random bytes, like real ones (§6).

    Returns:
        The signature string.
    """
    return base64.b64encode(secrets.token_bytes(72)).decode("ascii")


def new_response_id() -> str:
    """A response id: a short base64url string, not ``chatcmpl-...`` (§7).

    Returns:
        A 22/23-character id.
    """
    return secrets.token_urlsafe(17)[:23]


class TokenStore:
    """Tokens issued by the emulator and their expiry (wall-clock seconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self.issued_by_endpoint = 0

    def issue(self, lifetime: float, *, via_endpoint: bool) -> str:
        """Issue a new token.

        Args:
            lifetime: Seconds until it expires.
            via_endpoint: Whether it is issued by the ``/token`` endpoint (counted).

        Returns:
            The token.
        """
        token = new_token()
        with self._lock:
            self._expiry[token] = time.time() + lifetime
            if via_endpoint:
                self.issued_by_endpoint += 1
        return token

    def is_valid(self, token: str) -> bool:
        """Whether ``token`` was issued here and has not expired.

        Args:
            token: The bearer token.

        Returns:
            True if valid.
        """
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and time.time() < expiry

    def expire_all(self) -> None:
        """Make every issued token expired."""
        with self._lock:
            past = time.time() - 1.0
            for token in self._expiry:
                self._expiry[token] = past


class SignatureBook:
    """Thought signatures issued by the emulator, with how many calls each came with."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: dict[str, int] = {}

    def issue(self, calls: int) -> str:
        """Issue a signature for a reply with ``calls`` tool calls (0 for text).

        Args:
            calls: Number of tool calls in the reply (parallel set size).

        Returns:
            The signature.
        """
        signature = new_signature()
        self.register(signature, calls)
        return signature

    def register(self, signature: str, calls: int) -> None:
        """Remember a signature chosen by a test script as issued.

        Args:
            signature: The signature string.
            calls: Number of tool calls it came with.
        """
        with self._lock:
            self._issued[signature] = calls

    def calls(self, signature: str) -> int | None:
        """How many calls ``signature`` was issued with, or None if never issued.

        Args:
            signature: The signature string.

        Returns:
            The call count or None.
        """
        with self._lock:
            return self._issued.get(signature)
