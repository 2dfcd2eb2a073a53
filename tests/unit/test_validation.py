"""Every public parameter is checked when the model is built, with a message naming the fix.

Nothing here talks to a server: a bad setting must fail at construction, not at the first
call (or, worse, as an opaque 400 or a DNS error from a host built out of a typo).
"""

from __future__ import annotations

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexAuthError

BASE = {"model": "gemini-3.5-flash", "project": "my-project-123"}
API_KEY = "AIzaSyA-fake-key-000000000000000000000"


def build(**overrides):
    return ChatVertexOpenAI(**{**BASE, **overrides})


@pytest.mark.parametrize(
    ("overrides", "fix"),
    [
        # location: a region id, not a host, URL or zone-like spelling
        ({"location": "us_central1"}, "region such as 'us-central1'"),
        ({"location": "US-CENTRAL1"}, "region such as 'us-central1'"),
        ({"location": "https://us-central1-aiplatform.googleapis.com"}, "use 'global'"),
        ({"location": ""}, "use 'global'"),
        # project: an id, not a display name or a resource name
        ({"project": "My Project"}, "e.g. 'my-project-123'"),
        ({"project": "projects/my-project-123"}, "e.g. 'my-project-123'"),
        ({"project": "abc"}, "6-30 lowercase letters"),
        # counts
        ({"max_retries": -1}, "max_retries must be 0 or more"),
        ({"max_tokens": 0}, "max_tokens must be at least 1"),
        ({"max_completion_tokens": -5}, "max_tokens must be at least 1"),
        ({"n": 0}, "n must be at least 1"),
        # model ids
        ({"model": ""}, "such as 'google/gemini-3.5-flash'"),
        ({"model": "   "}, "such as 'google/gemini-3.5-flash'"),
        ({"model": "llama-3.3-70b-instruct-maas"}, "'meta/llama-3.3-70b-instruct-maas'"),
        ({"model": "google/"}, "'publisher/model' id such as"),
        ({"model": "a/b/c"}, "'publisher/model' id such as"),
        # reasoning settings per model
        (
            {"model": "gemini-3.8-flash", "reasoning_effort": "minimal"},
            "use one of low, medium, high",
        ),
        ({"model": "gemini-2.5-pro", "reasoning_effort": "none"}, "use one of low, medium, high"),
        ({"model": "gemini-2.5-flash", "reasoning_effort": "minimal"}, "use one of none, low"),
        ({"model": "gemini-3.5-flash", "reasoning_effort": "none"}, "use one of minimal, low"),
        ({"reasoning_effort": "extreme"}, "'none', 'minimal', 'low', 'medium' or 'high'"),
        (
            {"model": "gemini-3.1-pro-preview", "thinking_budget": 1024},
            "use reasoning_effort instead",
        ),
        ({"model": "gemini-3.5-flash", "thinking_budget": 0}, "use reasoning_effort instead"),
        (
            {"model": "gemini-2.5-flash", "thinking_budget": -7},
            "-1 \\(dynamic\\), 0 \\(off\\) or positive",
        ),
        ({"model": "gemini-2.5-pro", "thinking_budget": 0}, "cannot turn thinking off"),
        ({"model": "meta/llama-3.3-70b-instruct-maas", "thinking_budget": 1}, "Gemini 2.5"),
        ({"model": "openai/gpt-oss-120b-maas", "reasoning_effort": "low"}, "no reasoning_effort"),
        ({"reasoning_effort": "low", "thinking_budget": 512}, "not both"),
        # context caching
        (
            {"cached_content": "my-cache"},
            "projects/\\{project\\}/locations/\\{region\\}/cachedContents",
        ),
        ({"cached_content": "cachedContents/123"}, "projects/\\{project\\}/locations/\\{region\\}"),
        (
            {"cached_content": "projects/p/locations/us-central1/cachedContents/1"},
            "set location='us-central1'",
        ),
        (
            {
                "location": "europe-west3",
                "cached_content": "projects/p/locations/us-central1/cachedContents/1",
            },
            "set location='us-central1'",
        ),
        # safety settings
        ({"safety_settings": {"VIOLENCE": "BLOCK_NONE"}}, "HARM_CATEGORY_"),
        ({"safety_settings": {"HARM_CATEGORY_HATE_SPEECH": "MAYBE"}}, "BLOCK_ONLY_HIGH"),
        # credentials
        ({"api_key": "ya29.token", "credentials": object()}, "not both"),
    ],
)
@pytest.mark.filterwarnings("ignore::langchain_vertex_openai.RetiredModelWarning")
def test_bad_settings_fail_at_construction_naming_the_fix(overrides, fix):
    with pytest.raises(ValueError, match=fix):
        build(**overrides)


@pytest.mark.parametrize("key", [API_KEY, f"  {API_KEY}\n"])
def test_google_api_key_as_api_key_is_refused_with_the_oauth_alternative(key):
    with pytest.raises(VertexAuthError, match="API keys are not supported") as info:
        build(api_key=key)
    message = str(info.value)
    assert "gcloud auth application-default login" in message
    assert "credentials=" in message
    assert key.strip() not in message  # the key itself is not echoed


@pytest.mark.parametrize(
    ("variable", "value", "fix"),
    [
        ("GOOGLE_CLOUD_LOCATION", "us_central1", "region such as 'us-central1'"),
        ("GOOGLE_CLOUD_PROJECT", "My Project", "e.g. 'my-project-123'"),
    ],
)
def test_bad_environment_defaults_fail_at_construction(monkeypatch, variable, value, fix):
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=fix):
        ChatVertexOpenAI(model="gemini-3.5-flash")


def test_good_settings_are_kept():
    llm = build(
        location="europe-west2",
        max_retries=0,
        max_tokens=1,
        n=1,
        reasoning_effort="low",
        cached_content="projects/p/locations/europe-west2/cachedContents/1",
    )
    assert llm.model_name == "google/gemini-3.5-flash"
    assert (llm.location, llm.max_retries, llm.max_tokens) == ("europe-west2", 0, 1)
    assert build(model="meta/llama-3.3-70b-instruct-maas").model_name.startswith("meta/")


_LAZY = "validated only when the first request is built, not at construction"


@pytest.mark.parametrize(
    ("overrides", "error", "fix"),
    [
        pytest.param(
            {"credentials": API_KEY},
            VertexAuthError,
            "API keys are not supported",
            id="api-key-as-credentials",
        ),
        pytest.param(
            {"credentials": "/secrets/service-account.json"},
            ValueError,
            "google.auth",
            id="path-as-credentials",
        ),
        pytest.param(
            {"credentials": {"type": "service_account", "client_email": "sa@p.iam"}},
            ValueError,
            "google.auth",
            id="dict-as-credentials",
        ),
        pytest.param(
            {"location": "us-central1", "endpoint_id": "../evil"},
            ValueError,
            "numeric id of a Vertex AI endpoint",
            id="endpoint-id",
        ),
        pytest.param(
            {"timeout": 0},
            ValueError,
            "timeout",
            id="timeout-zero",
        ),
        pytest.param(
            {"timeout": -1},
            ValueError,
            "timeout",
            id="timeout-negative",
        ),
        pytest.param(
            {"temperature": 2.5},
            ValueError,
            "temperature",
            id="temperature",
        ),
        pytest.param(
            {"top_p": 1.5},
            ValueError,
            "top_p",
            id="top-p",
        ),
        pytest.param(
            {"quota_project": "My Billing Project"},
            ValueError,
            "quota_project",
            id="quota-project",
        ),
        pytest.param(
            {"model": "gemini-3.5-flash", "n": 2},
            ValueError,
            "n=1",
            id="n-on-gemini-3",
        ),
    ],
)
def test_settings_that_fail_only_later_are_refused_at_construction(overrides, error, fix):
    with pytest.raises(error, match=fix):
        build(**overrides)
