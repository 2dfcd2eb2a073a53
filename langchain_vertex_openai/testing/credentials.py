"""google-auth credentials that obtain tokens from the emulator's token endpoint."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from google.auth import _helpers, exceptions
from google.auth import credentials as ga_credentials

_FORM = "application/x-www-form-urlencoded"
# google-auth is only partly typed: bind the untyped callables once.
_RefreshError: Any = exceptions.RefreshError
_utcnow: Callable[[], datetime.datetime] = _helpers.utcnow


class EmulatorCredentials(ga_credentials.CredentialsWithQuotaProject):
    """Credentials whose ``refresh`` posts to the emulator's ``/token`` endpoint.

    They behave like google-auth's OAuth2 credentials: ``token`` and ``expiry`` (naive UTC)
    are set by :meth:`refresh`, so ``valid`` / ``expired`` / ``token_state`` apply google-auth's
    refresh threshold, and ``before_request`` refreshes when needed.

    Example:
        >>> creds = emu.credentials()  # doctest: +SKIP
        >>> creds.refresh(google.auth.transport.requests.Request())  # doctest: +SKIP
    """

    def __init__(
        self,
        token_url: str,
        *,
        quota_project_id: str | None = None,
        scopes: list[str] | None = None,
    ) -> None:
        """Create credentials for an emulator.

        Args:
            token_url: The emulator's token endpoint (``{root_url}/token``).
            quota_project_id: Project for quota and billing (sent as ``x-goog-user-project``
                by ``apply``).
            scopes: OAuth scopes (recorded in the token request; not enforced).
        """
        super().__init__()  # type: ignore[no-untyped-call]
        self._token_url = token_url
        self._quota_project_id = quota_project_id
        self._scopes = list(scopes or ["https://www.googleapis.com/auth/cloud-platform"])
        self.refresh_count = 0

    @property
    def token_url(self) -> str:
        """The token endpoint these credentials refresh from."""
        return self._token_url

    def refresh(self, request: Any) -> None:
        """Obtain a new token by POSTing to the token endpoint through ``request``.

        Args:
            request: A ``google.auth.transport.Request`` callable.

        Raises:
            google.auth.exceptions.RefreshError: If the endpoint fails or answers garbage.
        """
        body = "grant_type=emulator&scope=" + "+".join(self._scopes)
        try:
            response = request(
                url=self._token_url,
                method="POST",
                headers={"content-type": _FORM},
                body=body.encode(),
            )
        except exceptions.TransportError as exc:
            raise _RefreshError(f"Token request failed: {exc}", retryable=True) from exc
        data = response.data
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        if response.status != 200:
            raise _RefreshError(
                f"Token endpoint answered {response.status}: {text}",
                retryable=response.status >= 500,
            )
        try:
            payload = json.loads(text)
            token = str(payload["access_token"])
            lifetime = float(payload.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise _RefreshError(f"Malformed token response: {text!r}") from exc
        self.token = token
        self.expiry = _utcnow() + datetime.timedelta(seconds=lifetime)
        self.refresh_count += 1

    def with_quota_project(self, quota_project_id: str | None) -> EmulatorCredentials:
        """A copy of these credentials with another quota project.

        Args:
            quota_project_id: The project for quota and billing.

        Returns:
            New (not yet refreshed) credentials.
        """
        return EmulatorCredentials(
            self._token_url, quota_project_id=quota_project_id, scopes=self._scopes
        )
