import pytest

from langchain_vertex_openai._endpoint import (
    normalize_model_id,
    validate_location,
    validate_project,
    vertex_base_url,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("gemini-3.5-flash", "google/gemini-3.5-flash"),
        ("google/gemini-3.1-pro-preview", "google/gemini-3.1-pro-preview"),
        ("meta/llama-3.3-70b-instruct-maas", "meta/llama-3.3-70b-instruct-maas"),
        ("publishers/google/models/gemini-3.1-pro-preview", "google/gemini-3.1-pro-preview"),
        ("  gemini-3.5-flash ", "google/gemini-3.5-flash"),
    ],
)
def test_model_ids_get_a_publisher(given, expected):
    assert normalize_model_id(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "llama-3.3-70b-instruct-maas", "/gemini", "a/b/c"])
def test_bad_model_ids_are_rejected_with_an_example(bad):
    with pytest.raises(ValueError, match="google/gemini-3.5-flash"):
        normalize_model_id(bad)


def test_global_location_has_no_host_prefix():
    assert vertex_base_url("my-project", "global") == (
        "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/endpoints/openapi"
    )


def test_regional_and_multi_region_hosts():
    assert vertex_base_url("my-project", "us-central1").startswith(
        "https://us-central1-aiplatform.googleapis.com/v1/projects/my-project/locations/us-central1/"
    )
    assert vertex_base_url("my-project", "eu").startswith(
        "https://aiplatform.eu.rep.googleapis.com/"
    )


def test_self_deployed_endpoint():
    url = vertex_base_url("my-project", "us-central1", "1234567890")
    assert url.endswith("/locations/us-central1/endpoints/1234567890")
    with pytest.raises(ValueError, match="endpoint_id"):
        vertex_base_url("my-project", "us-central1", "../evil")


@pytest.mark.parametrize("bad", ["US-CENTRAL1", "us central1", "us-central1/x", ""])
def test_bad_locations(bad):
    with pytest.raises(ValueError, match="global"):
        validate_location(bad)


@pytest.mark.parametrize("good", ["my-project-123", "example.com:my-project", "123456789012"])
def test_good_projects(good):
    assert validate_project(good) == good


@pytest.mark.parametrize("bad", ["My_Project", "ab", "project/with/slash"])
def test_bad_projects(bad):
    with pytest.raises(ValueError, match="project id"):
        validate_project(bad)
