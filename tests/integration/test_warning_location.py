"""Warnings raised deep in a call (through langchain-core) name the user's line, once."""

from __future__ import annotations

import asyncio
import os
import warnings

import pytest

from langchain_vertex_openai._warnings import warn_once
from tests.helpers import emulator_model


def test_invoke_warning_points_at_the_callers_line(emulator):
    llm = emulator_model(emulator)
    with pytest.warns(UserWarning, match="has no 'top_k'") as caught:
        llm.invoke("Repeat exactly: a", top_k=3)
    assert [w.filename for w in caught] == [__file__]
    assert "top_k" not in emulator.last_request.body


def test_stream_warning_points_at_the_callers_line(emulator):
    llm = emulator_model(emulator)
    with pytest.warns(UserWarning, match="logit_bias") as caught:
        assert "".join(c.text for c in llm.stream("Repeat exactly: b", logit_bias={"1": 1})) == "b"
    assert [w.filename for w in caught] == [__file__]


def test_async_warning_points_at_the_line_running_the_loop(emulator):
    # langchain-core runs the call in its own task, whose frames lead back to the event
    # loop, not to the awaiting coroutine: the warning names the line running the loop.
    llm = emulator_model(emulator)
    with pytest.warns(UserWarning, match="has no 'top_k'") as caught:
        asyncio.run(llm.ainvoke("Repeat exactly: c", top_k=3))
    assert [w.filename for w in caught] == [__file__]


async def test_async_warning_never_blames_the_package(emulator):
    llm = emulator_model(emulator)
    with pytest.warns(UserWarning, match="has no 'top_k'") as caught:
        await llm.ainvoke("Repeat exactly: c", top_k=3)
    assert "langchain_vertex_openai" not in caught[0].filename
    assert "langchain_core" not in caught[0].filename
    assert f"{os.sep}asyncio{os.sep}" not in caught[0].filename


def test_each_warning_is_given_once(emulator):
    llm = emulator_model(emulator)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        llm.invoke("Repeat exactly: a", top_k=3)
        llm.invoke("Repeat exactly: a", top_k=4)
        llm.bind_tools([], strict=True)
        llm.bind_tools([], strict=True)
    assert len([w for w in caught if "top_k" in str(w.message)]) == 1
    assert len([w for w in caught if "strict" in str(w.message)]) == 1


def test_warn_once_called_from_user_code_names_that_code():
    with pytest.warns(UserWarning, match="direct") as caught:
        warn_once("direct")
    assert caught[0].filename == __file__
    assert caught[0].lineno > 0
