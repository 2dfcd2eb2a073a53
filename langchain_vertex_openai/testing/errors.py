"""Vertex-shaped errors (``docs/vertex-facts.md`` §10) and the Google front-end HTML 404 (§1)."""

from __future__ import annotations

from typing import Any, Literal

ErrorShape = Literal["object", "list"]

#: HTTP status -> Google canonical status string (google.rpc.Code).
GOOGLE_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

#: §10: messages seen for each status (429 is the current Vertex wording).
DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential."
    ),
    403: "Permission 'aiplatform.endpoints.predict' denied on resource (or it may not exist).",
    404: "Requested entity was not found.",
    429: (
        "Resource exhausted. Please try again later. Please refer to "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details."
    ),
    500: "Internal error encountered.",
    503: "The model is overloaded. Please try again later.",
    504: "Deadline expired before operation could complete.",
}

#: §2: the 401 for an invalid or expired OAuth token.
INVALID_CREDENTIALS_MESSAGE = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential."
)
#: Google's wording when no credential is sent at all (emulator choice: the facts only say 401).
MISSING_CREDENTIAL_MESSAGE = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential."
)
#: §2: the 401 for an API key (googleapis/java-genai #1000).
API_KEY_MESSAGE = (
    "API keys are not supported by this API. Expected OAuth2 access token or other "
    "authentication credentials that assert a principal. See "
    "https://cloud.google.com/docs/authentication"
)

_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


class VertexError(Exception):
    """An error the emulator answers with a Vertex-shaped JSON body.

    Attributes:
        status: HTTP status code.
        message: The ``error.message`` text.
        google_status: The ``error.status`` string (``INVALID_ARGUMENT`` ...).
        details: The ``error.details`` list, or None to omit it.
        shape: ``object`` (Vertex) or ``list`` (Gemini API, §10).
        headers: Extra response headers (e.g. ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        message: str | None = None,
        google_status: str | None = None,
        details: list[Any] | None = None,
        *,
        shape: ErrorShape = "object",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.message = message if message is not None else default_message(status)
        self.google_status = google_status or GOOGLE_STATUS.get(status, "UNKNOWN")
        self.details = details
        self.shape: ErrorShape = shape
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.google_status}: {self.message}")

    def body(self) -> dict[str, Any] | list[dict[str, Any]]:
        """The JSON body: ``{"error": {...}}`` or ``[{"error": {...}}]`` (§10).

        Returns:
            The body as a JSON-serialisable object.
        """
        error: dict[str, Any] = {
            "code": self.status,
            "message": self.message,
            "status": self.google_status,
        }
        if self.details is not None:
            error["details"] = self.details
        wrapped = {"error": error}
        return [wrapped] if self.shape == "list" else wrapped


def default_message(status: int) -> str:
    """The default message for a status (§10), or a generic one.

    Args:
        status: HTTP status code.

    Returns:
        The message text.
    """
    return DEFAULT_MESSAGES.get(status, f"HTTP {status}")


def error_info(reason: str, **metadata: str) -> dict[str, Any]:
    """A ``google.rpc.ErrorInfo`` detail for ``aiplatform.googleapis.com``.

    Args:
        reason: The ``reason`` code, e.g. ``ACCESS_TOKEN_TYPE_UNSUPPORTED``.
        **metadata: Extra metadata entries.

    Returns:
        The detail dict.
    """
    meta = {"service": "aiplatform.googleapis.com", **metadata}
    return {
        "@type": _ERROR_INFO,
        "domain": "googleapis.com",
        "metadata": meta,
        "reason": reason,
    }


def invalid_argument(message: str, field: str | None = None) -> VertexError:
    """A 400 ``INVALID_ARGUMENT`` with a ``google.rpc.BadRequest`` field violation.

    Args:
        message: The message (also used as the violation's description).
        field: The offending field path, if any.

    Returns:
        The error.
    """
    violation: dict[str, str] = {"description": message}
    if field:
        violation["field"] = field
    return VertexError(
        400,
        message,
        "INVALID_ARGUMENT",
        [{"@type": _BAD_REQUEST, "fieldViolations": [violation]}],
    )


#: Appended to a refusal Vertex is not documented to make (the emulator's own rule).
EMULATOR_REFUSAL = " (This refusal is the emulator's choice: Vertex's behaviour is not documented.)"
#: Appended to a documented refusal whose text is not documented.
EMULATOR_WORDING = " (Wording is the emulator's choice: the refusal is documented, not its text.)"


def plain_invalid_argument(message: str) -> VertexError:
    """A 400 ``INVALID_ARGUMENT`` without details (how most Gemini refusals look).

    Args:
        message: The message.

    Returns:
        The error.
    """
    return VertexError(400, message, "INVALID_ARGUMENT")


def unknown_fields_error(unknown: list[tuple[str, str]]) -> VertexError:
    """The Gemini API's 400 for unknown fields (§3), one violation per field.

    Args:
        unknown: ``(name, parent_path)`` pairs; ``parent_path`` is ``""`` at the top level.

    Returns:
        The error; its message joins one line per field, as Google does.
    """
    lines: list[str] = []
    violations: list[dict[str, str]] = []
    for name, parent in unknown:
        where = f" at '{parent}'" if parent else ""
        line = f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
        lines.append(line)
        violation = {"description": line}
        if parent:
            violation["field"] = parent
        violations.append(violation)
    return VertexError(
        400,
        "\n".join(lines),
        "INVALID_ARGUMENT",
        [{"@type": _BAD_REQUEST, "fieldViolations": violations}],
    )


def html_not_found(path: str) -> bytes:
    """The Google front-end's HTML 404 page for an unknown URL (§1).

    Args:
        path: The requested path (shown on the page).

    Returns:
        The UTF-8 encoded HTML body.
    """
    safe = path.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        '  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n'
        "  <title>Error 404 (Not Found)!!1</title>\n"
        "  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n"
        "  <p><b>404.</b> <ins>That\u2019s an error.</ins>\n"
        f"  <p>The requested URL <code>{safe}</code> was not found on this server.  "
        "<ins>That\u2019s all we know.</ins>\n"
    ).encode()
