import pytest
from langchain_core.messages import AIMessage, HumanMessage, trim_messages

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._response import chat_result_from_completion
from langchain_vertex_openai._tools import split_google_search


def test_token_counting_works_offline_for_trim_messages():
    llm = ChatVertexOpenAI(project="p-12345")
    assert llm.get_num_tokens("a" * 40) == 10
    history = [HumanMessage("x" * 400), AIMessage("y" * 400), HumanMessage("last question")]
    assert llm.get_num_tokens_from_messages(history) > llm.get_num_tokens_from_messages(
        history[-1:]
    )
    trimmed = trim_messages(history, max_tokens=60, token_counter=llm, strategy="last")
    assert trimmed == [history[-1]]
    with pytest.raises(NotImplementedError, match="get_num_tokens"):
        llm.get_token_ids("hi")


def test_images_count_as_gemini_image_tokens():
    llm = ChatVertexOpenAI(project="p-12345")
    image = HumanMessage(content=[{"type": "image_url", "image_url": {"url": "gs://bucket/a.png"}}])
    assert llm.get_num_tokens_from_messages([image]) >= 258


def test_google_search_tool_becomes_web_search_options():
    rest, search = split_google_search(
        [{"google_search": {}}, {"type": "function", "function": {"name": "f"}}]
    )
    assert search == {}
    assert len(rest) == 1
    with pytest.raises(ValueError, match="no sub-options"):
        split_google_search([{"google_search": {"dynamic_threshold": 0.3}}])
    bound = ChatVertexOpenAI(project="p-12345").bind_tools([{"google_search": {}}])
    assert bound.kwargs == {"web_search_options": {}}


def test_grounding_metadata_and_citations_are_kept():
    completion = {
        "choices": [
            {
                "finish_reason": "stop",
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Paris.",
                    "annotations": [
                        {"type": "url_citation", "url_citation": {"url": "https://example.com"}}
                    ],
                    "extra_content": {
                        "google": {
                            "grounding_metadata": {"web_search_queries": ["capital of france"]}
                        }
                    },
                },
            }
        ],
        "model": "google/gemini-2.5-flash",
    }
    message = chat_result_from_completion(completion, requested_model="m").generations[0].message
    assert (
        message.response_metadata["annotations"][0]["url_citation"]["url"] == "https://example.com"
    )
    assert message.response_metadata["grounding_metadata"] == {
        "web_search_queries": ["capital of france"]
    }


def test_count_tokens_url_and_body():
    from langchain_vertex_openai._count_tokens import count_tokens_body, count_tokens_url

    base = "https://aiplatform.googleapis.com/v1/projects/p/locations/global/endpoints/openapi"
    assert count_tokens_url(base, "google/gemini-2.5-flash") == (
        "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-flash:countTokens"
    )
    body = count_tokens_body(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "look"},
                    {"type": "image", "url": "gs://bucket/a.png"},
                ]
            ),
            AIMessage("", tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c1"}]),
        ]
    )
    assert body["contents"][0]["parts"][1] == {
        "fileData": {"fileUri": "gs://bucket/a.png", "mimeType": "image/png"}
    }
    assert body["contents"][1] == {
        "role": "model",
        "parts": [{"functionCall": {"name": "f", "args": {"x": 1}}}],
    }
