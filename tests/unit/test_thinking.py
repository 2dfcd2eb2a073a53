import pytest

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._google import check_no_conflict, google_settings
from langchain_vertex_openai._response import StreamState, chunk_to_message_chunk, final_chunk
from langchain_vertex_openai._thoughts import ThoughtSplitter, split_thoughts


def test_effort_alone_is_a_top_level_field():
    top, google = google_settings(
        "google/gemini-2.5-flash", {"reasoning_effort": "none"}, location="global"
    )
    assert top == {"reasoning_effort": "none"}
    assert google == {}


def test_include_thoughts_translates_effort_into_thinking_config():
    top, google = google_settings(
        "google/gemini-2.5-flash",
        {"reasoning_effort": "low", "include_thoughts": True},
        location="global",
    )
    assert top == {}
    assert google == {
        "thinking_config": {"include_thoughts": True, "thinking_budget": 1024},
        "thought_tag_marker": "thought",
    }
    _, google = google_settings(
        "google/gemini-3.5-flash",
        {"reasoning_effort": "minimal", "include_thoughts": True},
        location="global",
    )
    assert google["thinking_config"] == {"include_thoughts": True, "thinking_level": "minimal"}


@pytest.mark.parametrize(
    ("model", "settings", "match"),
    [
        ("google/gemini-2.5-flash", {"reasoning_effort": "low", "thinking_budget": 10}, "not both"),
        ("google/gemini-3.5-flash", {"thinking_budget": 1000}, "use reasoning_effort"),
        ("google/gemini-2.5-flash", {"thinking_budget": -5}, "-1 \\(dynamic\\)"),
        ("google/gemini-3.8-flash", {"reasoning_effort": "minimal"}, "low, medium, high"),
        (
            "google/gemini-2.5-flash",
            {"safety_settings": {"VIOLENCE": "BLOCK_NONE"}},
            "HARM_CATEGORY_",
        ),
        (
            "google/gemini-2.5-flash",
            {"safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "MAYBE"}]},
            "threshold",
        ),
        ("google/gemini-2.5-flash", {"cached_content": "my-cache"}, "resource name"),
        (
            "google/gemini-2.5-flash",
            {"cached_content": "projects/p/locations/us-central1/cachedContents/1"},
            "regional",
        ),
    ],
)
def test_bad_settings_fail_before_the_request(model, settings, match):
    with pytest.raises(ValueError, match=match):
        google_settings(model, settings, location="global")


def test_safety_settings_mapping_and_cached_content_in_its_region():
    _, google = google_settings(
        "google/gemini-2.5-flash",
        {
            "safety_settings": {"HARM_CATEGORY_HATE_SPEECH": "BLOCK_ONLY_HIGH"},
            "cached_content": "projects/p/locations/us-central1/cachedContents/42",
        },
        location="us-central1",
    )
    assert google["safety_settings"] == [
        {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}
    ]
    assert google["cached_content"].endswith("/42")


def test_conflict_through_extra_body_is_caught():
    with pytest.raises(ValueError, match="cannot be sent together"):
        check_no_conflict(
            {"reasoning_effort": "low", "extra_body": {"google": {"thinking_config": {}}}}
        )


def test_model_construction_validates_settings():
    with pytest.raises(ValueError, match="not both"):
        ChatVertexOpenAI(project="p-12345", reasoning_effort="low", thinking_budget=100)


def test_split_thoughts_in_a_whole_reply():
    assert split_thoughts("<thought>plan it</thought>The answer") == ("plan it", "The answer")
    assert split_thoughts("no thoughts here") == ("", "no thoughts here")


def test_tags_split_across_chunks():
    splitter = ThoughtSplitter()
    pieces = ["<tho", "ught>thinking ", "hard</th", "ought>Ans", "wer <b>"]
    thoughts, answer = zip(*(splitter.feed(p) for p in pieces), strict=True)
    rest = splitter.flush()
    assert "".join(thoughts) + rest[0] == "thinking hard"
    assert "".join(answer) + rest[1] == "Answer <b>"


def test_recorded_gemini_api_thought_stream_shape():
    # The opening tag in the first flagged chunk, the closing tag before the answer.
    def event(content, flagged, finish=None):
        delta = {"content": content, "role": "assistant"}
        if flagged:
            delta["extra_content"] = {"google": {"thought": True}}
        choice = {"delta": delta, "index": 0}
        if finish:
            choice["finish_reason"] = finish
        return {"choices": [choice], "model": "gemini-2.5-flash"}

    state = StreamState(requested_model="m", thoughts=ThoughtSplitter())
    events = [
        event("<thought>**Plan**\n", True),
        event("more plan", True),
        event("</thought>Hello!", False, "stop"),
    ]
    chunks = [c for e in events if (c := chunk_to_message_chunk(e, state))]
    chunks.append(final_chunk(state))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert merged.content == "Hello!"
    assert merged.additional_kwargs["reasoning_content"] == "**Plan**\nmore plan"
    blocks = merged.content_blocks
    assert blocks[0]["type"] == "reasoning"
    assert blocks[-1]["type"] == "text"
    assert blocks[-1]["text"] == "Hello!"


def test_labels_are_refused_because_the_endpoint_would_drop_them():
    with pytest.raises(ValueError, match="labels are not supported"):
        ChatVertexOpenAI(project="p-12345", labels={"team": "search"})
