"""What importing the package costs: `openai` is loaded on the first call, not before.

`openai` takes about 300 ms to import (benchmarks/README.md); a user who imports the
model class, builds models and binds tools in a module that never calls one (a CLI's
`--help`, a LangGraph definition loaded for inspection) should not pay it. Run in a fresh
interpreter, since this test session has long imported `openai`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_building_models_and_binding_tools_does_not_import_openai() -> None:
    out = _run(
        """
        import sys
        from pydantic import BaseModel
        from langchain_vertex_openai import ChatVertexOpenAI

        class Weather(BaseModel):
            city: str

        llm = ChatVertexOpenAI(model="gemini-3.5-flash", project="my-project")
        llm.bind_tools([Weather], tool_choice="any")
        llm.with_structured_output(Weather)
        llm.get_num_tokens_from_messages([])
        llm.credentials_provider.httpx_auth()  # for users' own httpx2 clients
        print(sorted(m for m in ("openai", "langchain_vertex_openai._clients") if m in sys.modules))
        """
    )
    assert out == "[]"


def test_error_classes_subclass_the_sdk_and_are_one_class_wherever_imported() -> None:
    out = _run(
        """
        import openai
        import langchain_vertex_openai as package
        from langchain_vertex_openai import auth
        from langchain_core.exceptions import ModelAuthenticationError

        assert auth.VertexAuthError is package.VertexAuthError
        assert "VertexAuthError" in dir(auth)
        assert issubclass(auth.VertexAuthError, openai.OpenAIError)
        assert issubclass(auth.VertexAuthError, ModelAuthenticationError)
        assert issubclass(package.VertexRateLimitError, openai.RateLimitError)
        print("ok")
        """
    )
    assert out == "ok"


def test_an_api_key_is_refused_with_the_auth_error_before_any_call() -> None:
    out = _run(
        """
        from langchain_vertex_openai import ChatVertexOpenAI, VertexAuthError

        try:
            ChatVertexOpenAI(model="gemini-3.5-flash", project="my-project", credentials="AIzaFake")
        except VertexAuthError as error:
            print("refused:", "OAuth" in str(error))
        """
    )
    assert out == "refused: True"


def test_every_annotation_of_the_model_class_resolves() -> None:
    # Tools that introspect models (typing.get_type_hints) must not trip on names the
    # package imports lazily.
    out = _run(
        """
        import typing
        from langchain_vertex_openai import ChatVertexOpenAI

        hints = typing.get_type_hints(ChatVertexOpenAI)
        print("model_name" in hints and "credentials" in hints)
        """
    )
    assert out == "True"
