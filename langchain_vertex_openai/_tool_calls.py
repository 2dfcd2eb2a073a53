"""Tool calls in answers: their ids, one judgement of their arguments, streamed fragments.

Ids (docs/vertex-facts.md §7): Vertex sends `""`, the function name (shared by parallel
calls to one function) or unique ids; only unique ones are kept. Arguments are judged by
one rule whether the answer was streamed or not (`judge_call`): a call whose arguments
are not a complete JSON object is invalid and never run. Streamed calls are collected
fragment by fragment (merged by id, never by `index`, §7) and judged when the stream ends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import InvalidToolCall, ToolCall, ToolCallChunk
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk

from langchain_vertex_openai._shape import as_dict, optional_str
from langchain_vertex_openai._signatures import signature_of


def new_tool_call_id() -> str:
    """Return a fresh tool-call id for calls Vertex sent without a usable one."""
    return f"call_{uuid.uuid4().hex[:24]}"


def dumps_arguments(arguments: dict[str, Any]) -> str:
    """Serialise tool-call arguments the way they are sent back to Vertex."""
    return json.dumps(arguments, ensure_ascii=False)


def _call_id(raw_id: Any, name: str | None, taken: Sequence[str] | set[str]) -> str:
    """Keep Vertex's id when it identifies the call, else make a fresh one."""
    if isinstance(raw_id, str) and raw_id and raw_id != name and raw_id not in taken:
        return raw_id
    return new_tool_call_id()


def judge_arguments(arguments: str) -> tuple[dict[str, Any] | None, str | None]:
    """Judge a call's complete argument text: `(args, None)`, or `(None, reason)`.

    No arguments mean `{}`; anything else must be complete JSON naming an object
    (`"Paris"`, `42` or `[1, 2]` cannot be keyword arguments).
    """
    if not arguments:
        return {}, None
    try:
        # strict=False: raw control characters inside strings, as langchain-core allows.
        parsed = json.loads(arguments, strict=False)
    except ValueError as error:
        return None, f"are not complete JSON ({error}); the answer may have been cut off"
    except RecursionError:
        # The decoder gives up on arrays or objects nested thousands deep.
        return None, "are JSON nested too deeply to read"
    if not isinstance(parsed, dict):
        return None, f"are JSON {type(parsed).__name__}, not an object of named arguments"
    return parsed, None


def judge_call(name: str | None, arguments: str) -> tuple[dict[str, Any] | None, str | None]:
    """Judge a whole tool call: `(args, None)` if it can run, else `(None, error)`."""
    if not name:
        return None, f"The tool call names no function (arguments: {arguments[:200]!r})."
    args, reason = judge_arguments(arguments)
    if args is None:
        return None, f"Function {name!r} arguments {reason}: {arguments[:200]!r}"
    return args, None


def call_function(raw: object, where: str) -> tuple[str | None, str]:
    """A tool call's (name, argument text), checked for shape.

    Raises:
        VertexResponseError: The call or its `function` is not an object, or the name
            or arguments are of the wrong type.
    """
    function = as_dict(as_dict(raw, where).get("function"), f"{where}.function")
    name = optional_str(function.get("name"), f"{where}.function.name")
    arguments = function.get("arguments")
    if isinstance(arguments, dict):
        # Not the wire format, but unambiguous: a gateway that already decoded it.
        return name, dumps_arguments(arguments)
    return name, optional_str(arguments, f"{where}.function.arguments") or ""


def parse_tool_calls(
    raw_calls: list[Any], where: str
) -> tuple[list[ToolCall], list[InvalidToolCall], dict[str, str]]:
    """A whole answer's calls: (runnable calls, invalid calls, signatures by call id)."""
    functions = [call_function(raw, f"{where}[{i}]") for i, raw in enumerate(raw_calls)]
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    signatures: dict[str, str] = {}
    taken: set[str] = set()
    for raw, (name, arguments) in zip(raw_calls, functions, strict=True):
        call_id = _call_id(raw.get("id"), name, taken)
        taken.add(call_id)
        args, error = judge_call(name, arguments)
        if args is not None and name:
            tool_calls.append(tool_call(name=name, args=args, id=call_id))
        else:
            invalid.append(invalid_tool_call(name=name, args=arguments, id=call_id, error=error))
        signature = signature_of(raw)
        if signature:
            signatures[call_id] = signature
    return tool_calls, invalid, signatures


def _is_complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _parses_leniently_as_object(arguments: str) -> bool:
    from langchain_core.utils.json import parse_partial_json

    try:
        return not arguments or isinstance(parse_partial_json(arguments), dict)
    except (ValueError, RecursionError):
        return False


@dataclass
class StreamedCalls:
    """The tool calls of one stream, collected fragment by fragment, judged at its end."""

    single: bool = False
    """Keep only the first call (`parallel_tool_calls=False`, which Vertex ignores)."""
    dropped: list[dict[str, Any]] = field(default_factory=list)
    """Calls cut by `single`, as received."""
    ids: list[str] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)
    arguments: list[str] = field(default_factory=list)
    _index_by_id: dict[str, int] = field(default_factory=dict)
    _index_by_raw_index: dict[int, int] = field(default_factory=dict)
    _signed: set[str] = field(default_factory=set)

    def add(self, raw_calls: list[Any], where: str) -> dict[str, str]:
        """Collect one delta's call fragments; return the signatures first seen in it."""
        signatures: dict[str, str] = {}
        for position, raw in enumerate(raw_calls):
            name, arguments = call_function(raw, f"{where}[{position}]")
            continued = self._continued(raw, name)
            if continued is not None:
                call_id = self.ids[continued]
                self.arguments[continued] += arguments
            elif self.single and self.ids:
                self.dropped.append(raw)
                continue
            else:
                call_id = self._start(raw, name, arguments)
            signature = signature_of(raw)
            if signature and call_id not in self._signed:
                self._signed.add(call_id)
                signatures[call_id] = signature
        return signatures

    def _start(self, raw: dict[str, Any], name: str | None, arguments: str) -> str:
        index = len(self.ids)
        raw_id = raw.get("id")
        call_id = _call_id(raw_id, name, self.ids)
        self.ids.append(call_id)
        self.names.append(name)
        self.arguments.append(arguments)
        if isinstance(raw_id, str) and raw_id and raw_id != name:
            self._index_by_id[raw_id] = index
        if isinstance(raw.get("index"), int):
            self._index_by_raw_index.setdefault(raw["index"], index)
        return call_id

    def _continued(self, raw: dict[str, Any], name: str | None) -> int | None:
        """The index of the call a fragment continues, if it continues one.

        With `stream_function_call_arguments` every fragment repeats name and id, and
        its `index` is unreliable (§7): a known unique id continues its call; an id equal
        to the name continues the latest call of that name while its arguments are still
        incomplete JSON. A fragment with neither id nor name (the OpenAI convention, e.g.
        partner models) continues the call its `index` started.
        """
        raw_id = raw.get("id")
        if isinstance(raw_id, str) and raw_id != name and raw_id in self._index_by_id:
            return self._index_by_id[raw_id]
        if raw_id and raw_id == name and self.names and self.names[-1] == name:
            last = len(self.names) - 1
            if not _is_complete_json(self.arguments[last]):
                return last
        if not raw_id and name is None and self.ids:
            raw_index = raw.get("index")
            if isinstance(raw_index, int) and raw_index in self._index_by_raw_index:
                return self._index_by_raw_index[raw_index]
            return len(self.ids) - 1
        return None

    def judged_chunks(self) -> tuple[list[ToolCallChunk], dict[str, str]]:
        """The calls as chunks for the stream's last message chunk, and why each invalid one is.

        They are sent only now because langchain-core's chunk merging parses arguments
        leniently (docs/vertex-facts.md §7): `{"city": "San Fr` cut off by `length` would
        merge into a runnable call `{"city": "San Fr"}`. An invalid call's text is
        therefore sent JSON-encoded when it would otherwise parse leniently as an object,
        so that merging leaves it in `invalid_tool_calls` (its `args` then decode with
        `json.loads` to the raw text).
        """
        chunks = []
        errors: dict[str, str] = {}
        for index, (call_id, name, arguments) in enumerate(
            zip(self.ids, self.names, self.arguments, strict=True)
        ):
            args, error = judge_call(name, arguments)
            sent = arguments
            if args is None:
                errors[call_id] = error or ""
                if _parses_leniently_as_object(arguments):
                    sent = json.dumps(arguments, ensure_ascii=False)
            chunks.append(tool_call_chunk(name=name, args=sent, id=call_id, index=index))
        return chunks, errors
