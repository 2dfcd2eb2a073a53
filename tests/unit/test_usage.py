from langchain_vertex_openai._usage import traffic_type, usage_to_metadata


def test_vertex_reasoning_tokens_excluded_from_completion_are_added_to_output():
    # Vertex's documented example: 27 + 45 + 504 = 576.
    usage = {
        "completion_tokens": 45,
        "completion_tokens_details": {"reasoning_tokens": 504},
        "extra_properties": {"google": {"traffic_type": "PROVISIONED_THROUGHPUT"}},
        "prompt_tokens": 27,
        "total_tokens": 576,
    }
    metadata = usage_to_metadata(usage)
    assert metadata["input_tokens"] == 27
    assert metadata["output_tokens"] == 549
    assert metadata["total_tokens"] == 576
    assert metadata["output_token_details"] == {"reasoning": 504}
    assert traffic_type(usage) == "PROVISIONED_THROUGHPUT"


def test_hidden_thinking_only_in_total_becomes_reasoning():
    # Gemini API shape: no details, total > prompt + completion.
    metadata = usage_to_metadata({"prompt_tokens": 17, "completion_tokens": 2, "total_tokens": 49})
    assert metadata["input_tokens"] + metadata["output_tokens"] == metadata["total_tokens"] == 49
    assert metadata["output_tokens"] == 32
    assert metadata["output_token_details"] == {"reasoning": 30}


def test_openai_convention_keeps_completion_as_output():
    metadata = usage_to_metadata(
        {
            "prompt_tokens": 10,
            "completion_tokens": 30,
            "total_tokens": 40,
            "completion_tokens_details": {"reasoning_tokens": 20},
        }
    )
    assert metadata["output_tokens"] == 30
    assert metadata["output_token_details"] == {"reasoning": 20}


def test_no_thinking_has_no_details_and_cached_tokens_are_reported():
    metadata = usage_to_metadata(
        {
            "prompt_tokens": 100,
            "completion_tokens": 5,
            "total_tokens": 105,
            "prompt_tokens_details": {"cached_tokens": 64},
        }
    )
    assert metadata["output_tokens"] == 5
    assert "output_token_details" not in metadata
    assert metadata["input_token_details"] == {"cache_read": 64}


def test_missing_counts_do_not_break_the_invariant():
    # Vertex has been seen to omit prompt/completion counts intermittently.
    metadata = usage_to_metadata({"total_tokens": 12})
    assert metadata["input_tokens"] + metadata["output_tokens"] == metadata["total_tokens"]
    metadata = usage_to_metadata({"prompt_tokens": 3, "completion_tokens": 4})
    assert metadata["total_tokens"] == 7
