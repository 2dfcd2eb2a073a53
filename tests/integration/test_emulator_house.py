"""The emulator as a test tool: bugs inside it fail the test, unused scripts are caught,
shared fixtures for wider scopes, and client disconnects stay quiet.

Driven with the raw ``openai`` SDK and plain sockets, never with the package's chat model.
"""

from __future__ import annotations

import socket
import struct
import time

import openai
import pytest

from langchain_vertex_openai.testing import VertexEmulator
from langchain_vertex_openai.testing import handling as handling_module
from langchain_vertex_openai.testing.pytest_plugin import emulator_fixture
from langchain_vertex_openai.testing.transport import EmulatorHandler

pytest_plugins = ["pytester"]

HELLO = [{"role": "user", "content": "Hello there"}]
FLASH = "google/gemini-2.5-flash"


def sdk(emu: VertexEmulator, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=emu.issue_token(), **kwargs)


class EmulatorBugError(RuntimeError):
    pass


def _broken_plan_reply(*args, **kwargs):
    raise EmulatorBugError("the brain fell over")


# -- bugs inside the emulator ---------------------------------------------------------------


def test_handler_bug_is_a_500_with_the_traceback_not_retried_and_reraised(monkeypatch):
    monkeypatch.setattr(handling_module, "plan_reply", _broken_plan_reply)
    with VertexEmulator() as emu:
        # Default max_retries (2): the SDK would retry a bare 500 or a dropped connection.
        with pytest.raises(openai.InternalServerError) as info:
            sdk(emu).chat.completions.create(model=FLASH, messages=HELLO)
        assert len(emu.chat_requests) == 1, "x-should-retry: false must stop the SDK retrying"
        message = info.value.body["message"]
        assert message.startswith("Emulator bug (not a Vertex answer)")
        assert "EmulatorBugError: the brain fell over" in message
        assert "Traceback" in message
        with pytest.raises(EmulatorBugError, match="the brain fell over") as raised:
            emu.verify()
        assert "chat/completions" in " ".join(getattr(raised.value, "__notes__", []))
        emu.verify()  # reported once, then forgotten


def test_bug_after_the_stream_started_drops_the_connection_and_is_reraised(monkeypatch):
    class BrokenRenderer(handling_module.Renderer):
        def chunks(self):
            raise EmulatorBugError("rendering failed")

    monkeypatch.setattr(handling_module, "Renderer", BrokenRenderer)
    with VertexEmulator() as emu:
        client = sdk(emu, max_retries=0)
        with pytest.raises(openai.APIError):
            list(client.chat.completions.create(model=FLASH, messages=HELLO, stream=True))
        with pytest.raises(EmulatorBugError, match="rendering failed"):
            emu.verify()


def test_bug_outside_the_request_handler_is_reported(monkeypatch, capfd):
    def broken_parse(self):
        raise EmulatorBugError("parse_request fell over")

    monkeypatch.setattr(EmulatorHandler, "parse_request", broken_parse)
    with VertexEmulator() as emu:
        with pytest.raises(openai.APIConnectionError):
            sdk(emu, max_retries=0).chat.completions.create(model=FLASH, messages=HELLO)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not emu._router._bugs:
            time.sleep(0.01)
        with pytest.raises(EmulatorBugError, match="parse_request fell over"):
            emu.verify()
    assert "parse_request fell over" in capfd.readouterr().err


def _reset_connection(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout: close() sends a RST instead of a FIN.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_client_disconnects_print_nothing_and_are_not_bugs(capfd):
    with VertexEmulator() as emu:
        for partial in (b"", b"POST /v1/projects/p/loc", b"POST / HTTP/1.1\r\nContent-Le"):
            sock = socket.create_connection(("127.0.0.1", emu.port), timeout=5)
            if partial:
                sock.sendall(partial)
            _reset_connection(sock)
        # A stream abandoned half-way (the server then writes into a reset connection).
        emu.queue_delay(0.05)
        client = sdk(emu, max_retries=0)
        stream = client.chat.completions.create(model=FLASH, messages=HELLO, stream=True)
        stream.response.close()
        # The server still answers afterwards.
        assert client.chat.completions.create(model=FLASH, messages=HELLO).choices
        time.sleep(0.1)
        emu.verify()
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert "Exception occurred during processing" not in captured.err


@pytest.mark.parametrize(
    "framing",
    [b"Content-Length: many\r\n", b"Transfer-Encoding: chunked\r\n\r\nzz"],
)
def test_malformed_framing_is_the_clients_fault_not_an_emulator_bug(framing):
    with VertexEmulator() as emu:
        path = emu.base_url.split(str(emu.port), 1)[1] + "/chat/completions"
        with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
            head, _, rest = framing.partition(b"\r\n\r\n")
            sock.sendall(
                b"POST "
                + path.encode()
                + b" HTTP/1.1\r\nHost: x\r\n"
                + head
                + b"\r\n\r\n"
                + rest
                + (b"\r\n" if rest else b"")
            )
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 400"), answer
        emu.verify()


# -- queued items must be used ----------------------------------------------------------------


def test_verify_reports_unused_queued_items():
    with VertexEmulator() as emu:
        emu.queue_reply("never sent")
        emu.queue_error(503, times=2)
        emu.queue_delay(1.5)
        emu.fail_token_requests(status=500)
        with pytest.raises(AssertionError) as info:
            emu.verify()
        text = str(info.value)
        for fragment in ("queue_reply('never sent')", "queue_error(503", "x2", "queue_delay(1.5)"):
            assert fragment in text
        assert "fail_token_requests(status=500)" in text
        assert "expect_all_consumed = False" in text
        emu.verify(all_consumed=False)
        emu.expect_all_consumed = False
        emu.verify()


def test_used_items_pass_verify():
    with VertexEmulator() as emu:
        emu.queue_reply("sent")
        emu.queue_error(400, "no")
        client = sdk(emu, max_retries=0)
        assert client.chat.completions.create(model=FLASH, messages=HELLO).choices
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model=FLASH, messages=HELLO)
        emu.verify()


FIXTURE_CHECKS = """
import openai
import pytest
from langchain_vertex_openai.testing import handling

def client(emu):
    return openai.OpenAI(base_url=emu.base_url, api_key=emu.issue_token(), max_retries=0)

def test_unused(vertex_emulator):
    vertex_emulator.queue_reply("unused")

@pytest.mark.vertex_emulator_unconsumed_ok
def test_unused_marked(vertex_emulator_strict):
    vertex_emulator_strict.queue_reply("unused")

def test_unused_attribute(vertex_emulator):
    vertex_emulator.queue_reply("unused")
    vertex_emulator.expect_all_consumed = False

def test_bug(vertex_emulator, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("emulator bug")
    monkeypatch.setattr(handling, "plan_reply", boom)
    with pytest.raises(openai.InternalServerError):
        client(vertex_emulator).chat.completions.create(
            model="google/gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}]
        )
"""


def test_fixtures_check_consumption_and_reraise_bugs_at_teardown(pytester):
    pytester.makepyfile(test_inner=FIXTURE_CHECKS)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "--strict-markers")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unused *",
            "*queued emulator answers that no request used: queue_reply('unused') x1*",
            "*ERROR at teardown of test_bug *",
            "*KeyError*emulator bug*",
        ]
    )
    assert "test_unused_marked" not in result.stdout.str().split("short test summary")[-1]


# -- wider scopes -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def module_client(vertex_emulator_module: VertexEmulator) -> openai.OpenAI:
    # A module-scoped user fixture on top of the module-scoped emulator: no ScopeMismatch.
    return sdk(vertex_emulator_module, max_retries=0)


def test_module_scoped_emulator_serves_a_module_scoped_fixture(module_client):
    answer = module_client.chat.completions.create(model=FLASH, messages=HELLO)
    assert answer.choices[0].message.content


def test_module_scoped_emulator_is_shared(module_client, vertex_emulator_module):
    before = len(vertex_emulator_module.chat_requests)
    module_client.chat.completions.create(model=FLASH, messages=HELLO)
    assert len(vertex_emulator_module.chat_requests) == before + 1
    assert before >= 1  # the previous test's request is still recorded: one shared emulator


@pytest.fixture(scope="session")
def session_emulator_port(vertex_emulator_session: VertexEmulator) -> int:
    return vertex_emulator_session.port


def test_session_scoped_emulator(session_emulator_port, vertex_emulator_session):
    assert vertex_emulator_session.running
    assert vertex_emulator_session.port == session_emulator_port


strict_us = emulator_fixture(scope="module", strict=True, location="us")


def test_emulator_fixture_factory_passes_options(strict_us):
    assert (strict_us.strict, strict_us.location) == (True, "us")
    with pytest.raises(openai.BadRequestError, match="Unknown name"):
        sdk(strict_us, max_retries=0).chat.completions.create(
            model=FLASH, messages=HELLO, extra_body={"store": True}
        )


# -- scripted items of your own ---------------------------------------------------------------


def test_a_scripted_item_of_your_own_answers_through_the_responder(vertex_emulator_strict):
    from langchain_vertex_openai.testing import Responder, ScriptedItem
    from langchain_vertex_openai.testing.brain import Plan

    class EchoModel(ScriptedItem):
        def respond(self, exchange: Responder) -> None:
            request = exchange.request()  # validated first: refusals still apply
            exchange.answer(Plan(content=f"you asked {request.model.model}", scripted=True))

        def describe(self) -> str:
            return "EchoModel()"

    emu = vertex_emulator_strict
    emu.queue(EchoModel(), times=2)
    client = sdk(emu, max_retries=0)
    answer = client.chat.completions.create(model=FLASH, messages=HELLO)
    assert answer.choices[0].message.content == f"you asked {FLASH}"
    with pytest.raises(openai.BadRequestError, match="Unknown name"):
        client.chat.completions.create(model=FLASH, messages=HELLO, extra_body={"store": True})
    assert emu.pending == 0
