import httpx2
import openai
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelRateLimitError,
)

from langchain_vertex_openai._errors import (
    VertexBadRequestError,
    VertexConnectionError,
    VertexContextOverflowError,
    VertexNotFoundError,
    VertexRateLimitError,
    VertexServerError,
    VertexTimeoutError,
    translate_error,
)

_REQUEST = httpx2.Request("POST", "https://aiplatform.googleapis.com/v1/x/chat/completions")


def _sdk_error(status, body, content_type="application/json"):
    if isinstance(body, (dict, list)):
        response = httpx2.Response(status, json=body, request=_REQUEST)
    else:
        response = httpx2.Response(
            status, text=body, headers={"content-type": content_type}, request=_REQUEST
        )
    client = openai.OpenAI(api_key="x", base_url="https://example.invalid")
    return client._make_status_error_from_response(response)


def test_list_shaped_body_message_is_surfaced():
    error = _sdk_error(
        400, [{"error": {"code": 400, "message": 'Unknown name "x"', "status": "INVALID_ARGUMENT"}}]
    )
    translated = translate_error(error)
    assert isinstance(translated, VertexBadRequestError)
    assert isinstance(translated, openai.BadRequestError)
    assert isinstance(translated, ModelInvalidRequestError)
    assert "INVALID_ARGUMENT: Unknown name" in str(translated)


def test_model_not_found_in_region_suggests_global():
    message = "Publisher Model `projects/p/locations/us-central1/publishers/google/models/gemini-3-pro-preview` was not found or your project does not have access to it."
    error = _sdk_error(404, {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}})
    translated = translate_error(error, location="us-central1")
    assert isinstance(translated, VertexNotFoundError) and isinstance(
        translated, ModelNotFoundError
    )
    assert "location='global'" in str(translated)


def test_thought_signature_error_explains_the_fix():
    message = "Unable to submit request because function call `default_api:f` in the 2. content block is missing a `thought_signature`."
    translated = translate_error(
        _sdk_error(400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}})
    )
    assert "Pass the AIMessage objects returned by the model back unchanged" in str(translated)


def test_rate_limit_and_server_errors_keep_sdk_classes():
    limited = translate_error(
        _sdk_error(
            429,
            [
                {
                    "error": {
                        "code": 429,
                        "message": "Resource has been exhausted (e.g. check quota).",
                        "status": "RESOURCE_EXHAUSTED",
                    }
                }
            ],
        )
    )
    assert isinstance(limited, VertexRateLimitError) and isinstance(limited, openai.RateLimitError)
    assert isinstance(limited, ModelRateLimitError)
    assert "RESOURCE_EXHAUSTED" in str(limited)
    overloaded = translate_error(
        _sdk_error(
            503,
            {
                "error": {
                    "code": 503,
                    "message": "The model is overloaded.",
                    "status": "UNAVAILABLE",
                }
            },
        )
    )
    assert isinstance(overloaded, VertexServerError) and isinstance(
        overloaded, openai.InternalServerError
    )


def test_context_overflow_is_recognised():
    message = (
        "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576)."
    )
    translated = translate_error(
        _sdk_error(400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}})
    )
    assert isinstance(translated, VertexContextOverflowError) and isinstance(
        translated, ContextOverflowError
    )


def test_html_error_page_is_summarised():
    html = "<html><body><h1>Error 404 (Not Found)!!1</h1><p>The requested URL was not found on this server.</p></body></html>"
    translated = translate_error(_sdk_error(404, html, "text/html"))
    assert "non-JSON body" in str(translated)
    assert "requested URL was not found" in str(translated)
    assert "<h1>" not in str(translated)


def test_connection_and_timeout_errors():
    assert isinstance(translate_error(openai.APITimeoutError(request=_REQUEST)), VertexTimeoutError)
    error = openai.APIConnectionError(request=_REQUEST)
    assert isinstance(translate_error(error), VertexConnectionError)


def test_unrelated_exceptions_pass_through():
    error = KeyError("x")
    assert translate_error(error) is error
