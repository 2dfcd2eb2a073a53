"""Construction-time checks of `ChatVertexOpenAI`'s settings, each naming the fix.

Everything that would otherwise fail at the first call (or, worse, be sent and answered
with a 400 on every call) is refused here, when the model is built.
"""

from __future__ import annotations

import datetime
import math
import os
import re
from collections.abc import Mapping
from typing import Any, Literal

import google.auth.credentials
from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo

from langchain_vertex_openai._catalog import ModelFacts, model_facts
from langchain_vertex_openai._endpoint import (
    normalize_model_id,
    validate_base_url,
    validate_endpoint_id,
    validate_project,
)
from langchain_vertex_openai._google import google_settings
from langchain_vertex_openai._request import NOT_ON_THIS_ENDPOINT, not_on_this_endpoint
from langchain_vertex_openai._warnings import warn_once
from langchain_vertex_openai.auth import reject_api_key, reject_api_key_credentials

BASE_URL_ENV = "VERTEX_OPENAI_BASE_URL"
"""Environment variable that points every model without a `base_url` elsewhere (the
emulator, a private endpoint), so code and README examples run offline unchanged."""
ACCESS_TOKEN_ENV = "VERTEX_ACCESS_TOKEN"  # noqa: S105 - a variable name, not a token
"""Environment variable holding a static access token, used when a model gets neither
`credentials` nor `api_key` (also where `load` finds a serialized model's token)."""

_RANGES = {"temperature": (0.0, 2.0), "top_p": (0.0, 1.0)}
_CREDENTIALS_HINT = (
    "credentials= takes a google.auth credentials object, e.g. "
    "google.oauth2.service_account.Credentials.from_service_account_file(path), or None for "
    "application-default credentials."
)


def construction_values(
    values: dict[str, Any], fields: Mapping[str, FieldInfo], *, default_model: str
) -> dict[str, Any]:
    """The constructor's arguments, ready for validation (a `mode="before"` validator).

    Booleans given for numbers are refused; environment defaults are filled in, one setting
    under two names is refused, native-API
    parameters this endpoint lacks are dropped with a warning, and unknown names move into
    `model_kwargs` (langchain-core's rule, knowing every alias).

    Raises:
        ValueError: For a setting given under two of its names.
    """
    from langchain_core.utils.utils import _build_model_kwargs

    refuse_bools(values)
    model_kwargs = values.get("model_kwargs") if isinstance(values, dict) else None
    if model_kwargs is not None and not isinstance(model_kwargs, dict):
        msg = (
            f"model_kwargs must be a dict of extra request fields, got "
            f"{type(model_kwargs).__name__}, e.g. model_kwargs={{'seed': 1}}."
        )
        raise ValueError(msg)
    names = field_names(fields)
    check_one_name_each(values, names)
    model = normalize_model_id(
        str(values.get("model") or values.get("model_name") or default_model)
    )
    values = drop_missing_parameters(env_defaults(values), model)
    return _build_model_kwargs(values, {name for each in names.values() for name in each})


def field_names(fields: Mapping[str, FieldInfo]) -> dict[str, tuple[str, ...]]:
    """Every name each field accepts: its own, its alias and its validation aliases."""
    names: dict[str, tuple[str, ...]] = {}
    for name, field in fields.items():
        accepted = [name]
        if field.alias:
            accepted.append(field.alias)
        if isinstance(field.validation_alias, AliasChoices):
            accepted += [c for c in field.validation_alias.choices if isinstance(c, str)]
        elif isinstance(field.validation_alias, str):
            accepted.append(field.validation_alias)
        names[name] = tuple(dict.fromkeys(accepted))
    return names


def check_one_name_each(values: Mapping[str, Any], names: Mapping[str, tuple[str, ...]]) -> None:
    """Refuse one setting given under two of its names (`max_tokens` and `max_output_tokens`).

    Raises:
        ValueError: Naming both spellings.
    """
    for accepted in names.values():
        given = [name for name in accepted if name in values]
        if len(given) > 1:
            msg = f"{' and '.join(given)} are the same setting; pass only one of them."
            raise ValueError(msg)


def drop_missing_parameters(values: dict[str, Any], model: str) -> dict[str, Any]:
    """Drop, with a warning, native-API parameters this endpoint does not have (`top_k`).

    Only for Gemini: a partner or open model may take them, so they pass to `model_kwargs`.
    """
    if not model_facts(model).is_gemini:
        return values
    missing = [name for name in values if name in NOT_ON_THIS_ENDPOINT]
    for name in missing:
        warn_once(not_on_this_endpoint(name), key=("missing-parameter", name))
    return {key: value for key, value in values.items() if key not in missing}


def env_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Fill `base_url` and a static token from the environment when none is given.

    Explicit arguments always win: the token is used only when neither `credentials` nor
    `api_key` (`access_token`) is passed, the URL only when `base_url` is absent.
    """
    base_url = os.environ.get(BASE_URL_ENV)
    token = os.environ.get(ACCESS_TOKEN_ENV)
    if not (base_url or token):
        return values
    values = dict(values)
    if base_url and "base_url" not in values:
        values["base_url"] = base_url
    given = ("credentials", "api_key", "access_token")
    if token and all(values.get(name) is None for name in given):
        values["access_token"] = token
    return values


def check_credentials(credentials: Any, access_token: str | None) -> None:
    """Refuse API keys and anything that is not google-auth credentials.

    Raises:
        VertexAuthError: For a Google API key (Vertex accepts OAuth tokens only).
        ValueError: For other values, or credentials together with a static token.
    """
    if access_token is not None:
        reject_api_key(access_token)
    if credentials is None:
        return
    if access_token is not None:
        msg = "Pass either credentials or api_key (a static access token), not both."
        raise ValueError(msg)
    reject_api_key_credentials(credentials)
    if not isinstance(credentials, google.auth.credentials.Credentials):
        msg = f"{_CREDENTIALS_HINT} Got {type(credentials).__name__}."
        raise ValueError(msg)


NUMBER_SETTINGS = (
    "max_tokens",
    "n",
    "seed",
    "max_retries",
    "thinking_budget",
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "timeout",
)
"""Number fields, where `True` would pass for 1 (`bool` is an `int` subclass)."""


def refuse_bool(name: str, value: Any) -> Any:
    """Return `value`, refusing a bool where a number is expected.

    Raises:
        ValueError: For `True`/`False`.
    """
    if isinstance(value, bool):
        msg = f"{name} must be a number, got {value!r} (a bool). Pass a number, or None."
        raise ValueError(msg)
    return value


_NUMBER_INPUTS = {
    **{name: name for name in NUMBER_SETTINGS},
    "max_completion_tokens": "max_tokens",
    "request_timeout": "timeout",
}


def refuse_bools(values: Any) -> None:
    """Refuse `True`/`False` given for a number field, under its name or alias.

    Raises:
        ValueError: Naming the field.
    """
    if isinstance(values, dict):
        for key, name in _NUMBER_INPUTS.items():
            refuse_bool(name, values.get(key))


_BEARER_RE = re.compile(r"^bearer(?:\s+|$)", re.IGNORECASE)


def clean_access_token(token: SecretStr | None) -> SecretStr | None:
    """Return a static access token without surrounding whitespace or a `Bearer ` prefix.

    The SDK sends `Authorization: Bearer <api_key>`, so a pasted header value would go out
    as `Bearer Bearer ...`; the prefix is stripped. The token itself never appears in an
    error.

    Raises:
        ValueError: For an empty token, or one holding whitespace or control characters.
    """
    if token is None:
        return None
    value = _BEARER_RE.sub("", token.get_secret_value().strip())
    if not value:
        msg = (
            "api_key is empty. Pass an OAuth access token (gcloud auth print-access-token), "
            "or leave api_key unset to use application-default credentials."
        )
        raise ValueError(msg)
    bad = next((i for i, char in enumerate(value) if not char.isprintable() or char == " "), None)
    if bad is not None:
        msg = (
            f"api_key holds a space or control character at position {bad}; an access token "
            "is one printable word. Copy the token again (gcloud auth print-access-token), "
            "without line breaks."
        )
        raise ValueError(msg)
    return SecretStr(value)


_WHOLE_NUMBERS = ("max_tokens", "n", "seed", "thinking_budget", "max_retries")
"""Number settings that are integers (on the model's fields, and on the wire)."""


def check_numbers(values: dict[str, Any]) -> None:
    """Check counts, ranges and the timeout.

    Raises:
        ValueError: Naming the parameter and its allowed range.
    """
    for name in NUMBER_SETTINGS:
        value = refuse_bool(name, values.get(name))
        if name != "timeout" and value is not None and not isinstance(value, int | float):
            msg = (
                f"{name} must be a number, got {value!r:.40} (a {type(value).__name__}). "
                "Pass a number (e.g. 0.5 or 100, not '100'), or None."
            )
            raise ValueError(msg)
    for name in _WHOLE_NUMBERS:
        value = values.get(name)
        if isinstance(value, float):  # construction coerces; per-call values come as given
            msg = (
                f"{name} must be a whole number, got {value!r}; the endpoint reads it as an "
                f"integer. Pass an int (e.g. {name}={max(int(value), 1)})."
            )
            raise ValueError(msg)
    for name in ("max_tokens", "n"):
        value = values.get(name)
        if value is not None and value < 1:
            msg = f"{name} must be at least 1, got {value}."
            raise ValueError(msg)
    for name, (low, high) in _RANGES.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            msg = f"{name} must be between {low:g} and {high:g} for Gemini, got {value}."
            raise ValueError(msg)
    if values.get("max_retries", 0) < 0:
        msg = f"max_retries must be 0 or more, got {values['max_retries']}."
        raise ValueError(msg)
    check_timeout(values.get("timeout"))
    n = values.get("n")
    if n is not None and n > 1 and not model_facts(str(values.get("model"))).multiple_candidates:
        msg = (
            f"{values['model']} returns one candidate only (Vertex: 'Multiple candidates is "
            "not enabled for this model'); use n=1 and call several times."
        )
        raise ValueError(msg)


def check_timeout(timeout: Any) -> None:
    """Refuse a timeout that is not a finite positive number of seconds.

    Only plain numbers are judged; an `httpx` timeout object is the SDK's to check.

    Raises:
        ValueError: Naming `timeout`.
    """
    refuse_bool("timeout", timeout)
    if isinstance(timeout, str | bytes):
        msg = (
            f"timeout must be a number of seconds, got {timeout!r:.40} (a string). Pass a "
            "number (e.g. 30.0), an httpx timeout object, or None for the SDK's default."
        )
        raise ValueError(msg)
    if isinstance(timeout, int | float) and not (math.isfinite(timeout) and timeout > 0):
        msg = (
            f"timeout must be a positive, finite number of seconds, got {timeout}; pass None "
            "for the SDK's default."
        )
        raise ValueError(msg)


_CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-goog-api-key", "cookie", "x-api-key"}
)
"""Headers that carry credentials: they would sit in the model's repr and serialized form."""


def check_default_headers(headers: Any) -> None:
    """Refuse credentials in `default_headers`, where repr and `dumps` would show them.

    Raises:
        ValueError: Naming the header and where its credential belongs instead.
    """
    for name in headers or {}:
        if str(name).lower() in _CREDENTIAL_HEADERS:
            msg = (
                f"default_headers: {name!r} carries a credential, and default_headers are "
                "kept in the model's repr and serialized form. Google access goes through "
                "credentials= (or api_key= for a token you already have); a proxy's "
                "credentials belong on your own http_client=httpx2.Client(proxy=...)."
            )
            raise ValueError(msg)


def check_settings(values: dict[str, Any], *, cache_location: str | None) -> None:
    """Run every construction-time check on the model's field values.

    Raises:
        ValueError: For the first setting that cannot work, naming the fix.
        VertexAuthError: For API keys passed as credentials or tokens.
    """
    check_credentials(values.get("credentials"), values.get("access_token"))
    check_numbers(values)
    if values.get("endpoint_id") is not None:
        validate_endpoint_id(values["endpoint_id"])
    if values.get("base_url") is not None:
        validate_base_url(
            values["base_url"], allow_insecure_http=bool(values.get("allow_insecure_http"))
        )
    check_default_headers(values.get("default_headers"))
    quota_project = values.get("quota_project")
    if quota_project:
        try:
            validate_project(quota_project)
        except ValueError as error:
            msg = f"quota_project: {error}"
            raise ValueError(msg) from None
    if values.get("labels"):
        msg = (
            "labels are not supported by Vertex AI's OpenAI-compatible endpoint (it is not "
            "documented there and unknown fields are dropped silently), so they would not "
            "reach billing. Remove labels, or use langchain-google-genai's "
            "ChatGoogleGenerativeAI on Vertex, which sends them natively."
        )
        raise ValueError(msg)
    facts = model_facts(str(values["model"]))
    if values.get("exact_token_count") and facts.is_partner:
        msg = "exact_token_count uses Vertex's countTokens, which serves Google models only."
        raise ValueError(msg)
    check_model(facts, location=cache_location)
    google_settings(values["model"], values, location=cache_location)


def check_capability(model: str, feature: Literal["tools", "structured_output"]) -> None:
    """Refuse tools or structured output on a model that takes neither (image models, §1).

    Raises:
        ValueError: Naming the model and what to use instead.
    """
    facts = model_facts(model)
    if getattr(facts, feature):
        return
    what = "function tools" if feature == "tools" else "structured output (response schemas)"
    kind = "an image-output model (beta)" if facts.image_output else "a model"
    msg = (
        f"{facts.model} is {kind} that does not take {what} (docs/vertex-facts.md §1). "
        "Use a Gemini text model such as 'gemini-3.5-flash' for this step, and the image "
        "model only to generate images."
    )
    raise ValueError(msg)


class RetiredModelWarning(FutureWarning):
    """The model is past its documented retirement date (docs/vertex-facts.md §1)."""


def check_model(
    facts: ModelFacts, *, location: str | None, today: datetime.date | None = None
) -> None:
    """Refuse models that are not on Chat Completions; warn about retired ones and locations.

    Args:
        facts: The model's catalogue facts.
        location: The location the model calls, or None when `base_url` is set (then no
            location rule applies: the serving location is unknown).
        today: The date retirement is judged on (default: today).

    Raises:
        ValueError: For a model Google marks as not a Chat Completions model, naming one.
    """
    if not facts.chat_completions:
        msg = (
            f"{facts.model} {facts.not_chat_reason}, so Vertex AI's OpenAI-compatible "
            f"endpoint cannot serve it (docs/vertex-facts.md §1). Use model="
            f"'{facts.alternative or 'gemini-3.5-flash'}' or another Chat Completions model."
        )
        raise ValueError(msg)
    if facts.retired_on(today or datetime.datetime.now(datetime.UTC).date()):
        when = (
            f"was retired on {facts.retirement_date.isoformat()}"
            if facts.retirement_date
            else "is retired"
        )
        successor = facts.successor or "gemini-3.5-flash"
        warn_once(
            f"{facts.model} {when} (Google's migration guide); calls may start failing. "
            f"Move to model='{successor}' (docs/vertex-facts.md §1).",
            key=("retired", facts.model),
            category=RetiredModelWarning,
        )
    if location is not None and facts.served_in(location) is False:
        where = ", ".join(facts.locations or ())
        warn_once(
            f"{facts.model} is documented in {where} only, not in location={location!r}; "
            f"expect a 404 there. Pass location={(facts.locations or ('global',))[0]!r} "
            "(docs/vertex-facts.md §1, §12).",
            key=("location", facts.model, location),
        )
