from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.data import model_profile


def test_profile_is_found_with_or_without_publisher():
    assert model_profile("google/gemini-2.5-flash") == model_profile("gemini-2.5-flash")
    profile = model_profile("gemini-2.5-flash")
    assert profile["max_input_tokens"] == 1048576
    assert profile["tool_calling"] is True
    assert profile["reasoning_effort_levels"] == ["none", "low", "medium", "high"]
    assert "attachment" not in profile


def test_vertex_facts_override_generated_data():
    assert model_profile("gemini-3.8-flash")["reasoning_effort_levels"] == ["low", "medium", "high"]


def test_model_gets_its_profile_and_user_can_override():
    assert (
        ChatVertexOpenAI(model="gemini-3.1-pro-preview", project="p-12345").profile[
            "max_output_tokens"
        ]
        == 65536
    )
    partner = ChatVertexOpenAI(model="meta/llama-3.3-70b-instruct-maas", project="p-12345")
    assert partner.profile["max_input_tokens"] == 128000
    custom = ChatVertexOpenAI(
        model="gemini-3.1-pro-preview", project="p-12345", profile={"max_input_tokens": 10}
    )
    assert custom.profile == {"max_input_tokens": 10}
    assert ChatVertexOpenAI(model="google/unknown-model", project="p-12345").profile is None
