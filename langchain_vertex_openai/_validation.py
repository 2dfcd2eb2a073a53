"""What we send, checked once before anything is sent (pure).

One pass over the whole request — content, the pairing of tool calls with their
results, the turn rules of the model, tool declarations and `tool_choice` — refuses what
Vertex would answer with an opaque 400 (or what could not be encoded at all) with a
`ValueError` that names the message, block or tool and the fix. Translation modules
(`_content`, `_tools`, `_request`) turn what passes into the request body; the rules
themselves live here. Facts are cited from `docs/vertex-facts.md`.

The pass runs on every call, so it only walks what it must: the tool schemas are checked
once, when they are bound (`check_schema_depth`, `find_recursion` and the enum rule run
from `_tools.gemini_schema`), and a call re-checks the cheap parts (names, duplicates,
`tool_choice`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, cast

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_vertex_openai._catalog import model_facts

FUNCTION_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$")
"""Gemini's function names: a letter or `_`, then letters, digits, `_ . : -`; 64 at most."""

MAX_SCHEMA_DEPTH = 100
"""Deepest JSON nesting accepted in a schema. The client's own guard, not a Google limit:
deeper schemas would exhaust Python's recursion while being rewritten."""

_KINDS = {
    "tool": "tool",
    "ToolMessageChunk": "tool",
    "function": "function",
    "FunctionMessageChunk": "function",
    "ai": "ai",
    "AIMessageChunk": "ai",
    "chat": "chat",
    "ChatMessageChunk": "chat",
    "remove": "remove",
}
"""Message `type` values the pairing rules (and `_check_odd_message`) look at."""
_CHECKED_KINDS = frozenset({"chat", "remove"})

_TRIM_HINT = (
    'trim with trim_messages(..., start_on="human") so a tool result is never kept without its call'
)


# -- the whole request ------------------------------------------------------------------------


def validate_request(
    messages: Sequence[BaseMessage],
    *,
    model: str,
    tools: Sequence[Any] | None = None,
    tool_choice: Any = None,
) -> None:
    """Check a request's messages, tools and `tool_choice` before it is built.

    Args:
        messages: The conversation, as LangChain messages.
        model: The `publisher/model` id the request goes to.
        tools: The tools in the request body (already in OpenAI form).
        tool_choice: The body's `tool_choice` (already in the form Vertex takes).

    Raises:
        ValueError: For the first problem found, naming where it is and the fix.
    """
    check_messages(messages, model=model)
    names = check_tools(tools or [])
    if tool_choice is not None:
        check_tool_choice(tool_choice, names)


# -- call settings ----------------------------------------------------------------------------


def check_stop(stop: Any) -> Any:
    """Return `stop` if it is a string or a list of strings (what the endpoint takes).

    Raises:
        ValueError: Naming the fix.
    """
    if isinstance(stop, str) or (
        isinstance(stop, (list, tuple)) and all(isinstance(item, str) for item in stop)
    ):
        return stop
    msg = (
        f"stop must be a list of strings (stop sequences), got {stop!r:.60}. Pass e.g. "
        "stop=['\\n\\n', 'END'], or leave it unset."
    )
    raise ValueError(msg)


def check_flag(name: str, value: Any) -> bool:
    """Return whether a yes/no setting (True, False or None) is explicitly `False`.

    Raises:
        ValueError: For anything but True, False or None (`"no"` would read as true).
    """
    if value is None or isinstance(value, bool):
        return value is False
    msg = f"{name} must be True or False, got {value!r:.40}. Pass a bool, or leave it unset."
    raise ValueError(msg)


# -- messages ---------------------------------------------------------------------------------


def check_messages(messages: Sequence[BaseMessage], *, model: str) -> None:
    """Check content, tool-call pairing and the model's turn rules.

    Every tool call needs its `ToolMessage` before the next turn (in any order when the
    calls are parallel), and every `ToolMessage` must answer a call an earlier AI message
    made (docs/vertex-facts.md §3). Partner models take alternating turns starting with a
    user turn (§12); Gemini 3 refuses a conversation ending with an assistant turn (§3).

    Raises:
        ValueError: Naming the message index (and block or call) and the fix.
    """
    open_calls: dict[str, tuple[int, str]] = {}  # id -> (message index, tool name)
    answerable: set[str] = set()
    for index, message in enumerate(messages):
        _check_content(index, message)
        # Dispatch on `type` (chunks included): cheaper than isinstance on message classes.
        kind = _KINDS.get(message.type)
        if kind == "tool":
            _check_answer(index, cast("ToolMessage", message), open_calls, answerable)
            continue
        if kind == "function":
            continue  # the deprecated function-call form pairs by name, not id
        if kind in _CHECKED_KINDS:
            _check_odd_message(index, message)
        if open_calls:
            raise _unanswered(open_calls, f"before message {index} ({message.type})")
        if kind == "ai":
            ai = cast("AIMessage", message)
            if ai.tool_calls:
                open_calls = _calls(index, ai)
                answerable.update(open_calls)
            if ai.invalid_tool_calls:
                # Malformed calls are sent back too, so Gemini wants their answers as well.
                for position, call in enumerate(ai.invalid_tool_calls):
                    call_id = call.get("id")
                    if not isinstance(call_id, str):
                        _refuse_invalid_call(index, position, call.get("name"))
                    answerable.add(call_id)
                    open_calls[call_id] = (index, call.get("name") or "")
    if open_calls:
        raise _unanswered(open_calls, "and the conversation ends there")
    facts = model_facts(model)
    if facts.alternating_turns:
        _check_open_model_turns(messages, model)
    elif (
        messages
        and isinstance(messages[-1], AIMessage)
        and facts.family == "gemini-3"
        and not facts.continues_final_assistant
    ):
        msg = (
            f"Message {len(messages) - 1} (ai) ends the conversation, but {model} refuses "
            "requests ending with an assistant turn ('Requests ending with a model turn are "
            "not supported.', docs/vertex-facts.md §3); continuing an assistant message "
            "(prefill) works on partner models only. End the conversation with a human "
            "message."
        )
        raise ValueError(msg)


def _calls(index: int, message: AIMessage) -> dict[str, tuple[int, str]]:
    calls: dict[str, tuple[int, str]] = {}
    for position, call in enumerate(message.tool_calls):
        name, call_id = call.get("name"), call.get("id")
        # An empty id is what Vertex itself sends (docs/vertex-facts.md §7): it pairs with
        # an empty tool_call_id. None cannot be answered at all.
        if not name or type(name) is not str or type(call_id) is not str:
            _refuse_call(index, position, name)
        bad = _unencodable(call["args"])
        if bad is not None:
            _check_text(bad, f"Message {index} (ai), tool call {position}")
        _check_json(call["args"], f"Message {index} (ai), tool call {position} ({name!r})")
        calls[call_id] = (index, name)
    return calls


def _check_json(arguments: Any, where: str) -> None:
    # The arguments are sent back as JSON text; a set, datetime or object there would fail
    # deep inside json.dumps with a TypeError naming neither the message nor the call.
    try:
        json.dumps(arguments, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        msg = (
            f"{where}: its args cannot be sent as JSON ({error}). Give the call JSON values "
            "only (str, int, finite float, bool, None, lists and dicts with str keys), e.g. "
            "convert sets to lists and datetimes to ISO strings."
        )
        raise ValueError(msg) from None


def _refuse_call(index: int, position: int, name: Any) -> NoReturn:
    where = f"Message {index} (ai), tool call {position}"
    if not isinstance(name, str) or not name:
        msg = (
            f"{where} has no name; Gemini refuses a function call without one. Set the "
            "name of the tool it calls, or remove the call."
        )
        raise ValueError(msg)
    msg = (
        f"{where} ({name!r}) has no id, so no ToolMessage can answer it. Give it an "
        "id (e.g. 'call_1') and use the same value as the ToolMessage's tool_call_id."
    )
    raise ValueError(msg)


def _refuse_invalid_call(index: int, position: int, name: Any) -> NoReturn:
    msg = (
        f"Message {index} (ai), invalid tool call {position} ({name!r}) has no id, so no "
        "ToolMessage can answer it, and Gemini wants every call it is sent answered "
        "(docs/vertex-facts.md §3). Give it an id (e.g. 'call_1') and answer it with "
        "ToolMessage(content=..., tool_call_id='call_1', status='error'), or remove it "
        "from invalid_tool_calls."
    )
    raise ValueError(msg)


_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
"""ChatMessage roles sent as they are: the documented ones (docs/vertex-facts.md §3), and
`developer`, which OpenAI clients send for `system`."""


def _check_odd_message(index: int, message: BaseMessage) -> None:
    if message.type == "remove":
        msg = (
            f"Message {index} is a RemoveMessage (id {message.id!r}): an instruction to "
            "LangGraph's add_messages reducer to delete a message from the graph state, not "
            "a turn a model can read. Let the graph's reducer apply it (return it from a "
            "node), or leave it out of the messages passed to the model."
        )
        raise ValueError(msg)
    role = cast("ChatMessage", message).role
    if role not in _ROLES:
        msg = (
            f"Message {index} (chat) has role {role!r}, which the endpoint does not take: "
            "the documented roles are system, user, assistant and tool (docs/vertex-facts.md "
            "§3). Use SystemMessage, HumanMessage, AIMessage or ToolMessage, or "
            "ChatMessage(role='user', ...)."
        )
        raise ValueError(msg)


def _check_answer(
    index: int,
    message: ToolMessage,
    open_calls: dict[str, tuple[int, str]],
    answerable: set[str],
) -> None:
    call_id = message.tool_call_id
    if call_id in open_calls:
        del open_calls[call_id]
        return
    if call_id in answerable:
        return  # answers a call an earlier AI message made
    if not answerable:
        msg = (
            f"Message {index} (tool) answers tool call {call_id!r}, but no earlier AI "
            "message made a tool call, and a tool result cannot be sent without its call. "
            "This is what trim_messages leaves when it cuts a conversation between a call "
            f"and its result: {_TRIM_HINT}, or drop this message."
        )
        raise ValueError(msg)
    waiting = f" (calls waiting for an answer: {sorted(open_calls)})" if open_calls else ""
    msg = (
        f"Message {index} (tool) has tool_call_id {call_id!r}, which matches no tool call of "
        f"an earlier AI message{waiting}. Set tool_call_id to the id of the call it answers "
        f"(AIMessage.tool_calls[i]['id']); if the call was trimmed away, {_TRIM_HINT}."
    )
    raise ValueError(msg)


def _unanswered(open_calls: Mapping[str, tuple[int, str]], where: str) -> ValueError:
    call_id, (index, name) = next(iter(open_calls.items()))
    msg = (
        f"Message {index} (ai) calls {name!r} (id {call_id!r}), but no ToolMessage answers "
        f"it {where}: every tool call must be answered right after its turn. Add "
        f"ToolMessage(content=..., tool_call_id={call_id!r}) after message {index}, or "
        "remove the call."
    )
    return ValueError(msg)


def _role(message: BaseMessage) -> str:
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, (ToolMessage, FunctionMessage)):
        return "tool"
    if isinstance(message, ChatMessage) and message.role in ("user", "assistant", "tool"):
        return message.role
    return "system"  # system, developer and other roles outside the user/assistant turns


def _check_open_model_turns(messages: Sequence[BaseMessage], model: str) -> None:
    """Partner models: a user turn first, then user and assistant turns alternating (§12).

    System messages stand outside the turns. Tool results belong to the assistant turn
    that made the calls: the assistant's answer after them continues that turn, and a
    user turn may follow them. A final assistant message is allowed: it is continued.
    """
    previous: tuple[int, str] | None = None
    after_tools = False
    for index, message in enumerate(messages):
        role = _role(message)
        if role == "system":
            continue
        if role == "tool":
            after_tools = True
            continue
        if previous is None and role != "user":
            msg = (
                f"Message {index} ({message.type}) is the first non-system message, but "
                f"{model} takes conversations that start with a user turn "
                "(docs/vertex-facts.md §12). Start with a human message: drop the leading "
                f"{message.type} messages, or {_TRIM_HINT}."
            )
            raise ValueError(msg)
        if previous is not None and previous[1] == role and not after_tools:
            other = "an AI" if role == "user" else "a human"
            msg = (
                f"Messages {previous[0]} and {index} are both {role} turns, but {model} "
                "takes alternating user and assistant turns (docs/vertex-facts.md §12). "
                f"Merge them into one message, or put {other} message between them."
            )
            raise ValueError(msg)
        previous = (index, role)
        after_tools = False


# -- content ----------------------------------------------------------------------------------


def _where(index: int, message: BaseMessage, block: int | None = None) -> str:
    where = f"Message {index} ({message.type})"
    return where if block is None else f"{where}, content block {block}"


def _check_content(index: int, message: BaseMessage) -> None:
    content = message.content
    if type(content) is str:
        if not content.isascii():
            _check_text(content, _where(index, message))
        return
    for position, block in enumerate(content):
        if type(block) is str:
            if not block.isascii():
                _check_text(block, _where(index, message, position))
            continue
        if not isinstance(block, dict):
            continue  # the converters name unsupported block types
        kind = block.get("type")
        if kind == "text":
            text = block.get("text")
            if type(text) is not str:
                got = "None" if text is None else f"a {type(text).__name__} ({text!r:.40})"
                msg = (
                    f"{_where(index, message, position)}: a text block's text is {got}, not "
                    "a string. Put the text in 'text' as a str (e.g. str(value)), or remove "
                    "the block."
                )
                raise ValueError(msg)
            if not text.isascii():
                _check_text(text, _where(index, message, position))
            continue
        if kind == "image_url" and not isinstance(block.get("image_url"), (str, dict)):
            image = block.get("image_url")
            msg = (
                f"{_where(index, message, position)}: image_url is a {type(image).__name__}, "
                "not a URL string or a {'url': ...} dict. Use {'type': 'image_url', "
                "'image_url': {'url': 'https://...'}} (or a gs:// or data: URL)."
            )
            raise ValueError(msg)
        if kind is not None and isinstance(message, SystemMessage):
            msg = (
                f"{_where(index, message, position)}: a system message can hold text only; "
                "put media in a human message."
            )
            raise ValueError(msg)
        bad = _unencodable(block)
        if bad is not None:
            _check_text(bad, _where(index, message, position))


_CONTAINERS = frozenset({list, tuple})


def _unencodable(value: Any) -> str | None:
    """The first string in a JSON-like value (keys included) UTF-8 cannot encode."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            # ASCII (nearly every id, URL, base64 payload and most text) cannot fail.
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return item
        elif type(item) is dict:
            stack.extend(item)
            stack.extend(item.values())
        elif type(item) in _CONTAINERS:
            stack.extend(item)
    return None


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        msg = (
            f"{where}: the text holds a lone surrogate character ({text[error.start]!r} at "
            f"position {error.start}), which cannot be encoded as UTF-8, so the request "
            "cannot be sent. Such characters come from text cut inside an emoji or decoded "
            "with errors='surrogateescape'; clean the text first, e.g. "
            "text.encode('utf-8', 'replace').decode('utf-8')."
        )
        raise ValueError(msg) from None


def check_not_empty(converted: Sequence[Mapping[str, Any]]) -> None:
    """Refuse converted turns without parts (Gemini: 'must include at least one parts field').

    Raises:
        ValueError: Naming the empty message.
    """
    for position, message in enumerate(converted):
        if message["role"] in ("user", "system", "assistant") and not (
            message.get("content") or message.get("tool_calls")
        ):
            msg = (
                f"Message {position} ({message['role']}) is empty; Gemini rejects messages "
                "without content. Remove it or give it text."
            )
            raise ValueError(msg)


# -- tools ------------------------------------------------------------------------------------


def check_function_name(name: Any) -> str:
    """Return `name` if Gemini accepts it as a function name (docs/vertex-facts.md §9).

    Raises:
        ValueError: Naming the tool and the rule.
    """
    if isinstance(name, str) and FUNCTION_NAME_RE.match(name):
        return name
    msg = (
        f"Tool name {name!r} is not one Gemini accepts: a name starts with a letter or _, "
        "then holds letters, digits, _ . : or -, at most 64 characters. Rename the tool "
        "(e.g. @tool('get_weather') or the function's or model's name)."
    )
    raise ValueError(msg)


def check_tool_list(tools: Any) -> None:
    """Refuse tools given as something other than a list (e.g. one tool, or None).

    Raises:
        ValueError: Naming the fix.
    """
    if not isinstance(tools, (list, tuple)):
        msg = (
            f"tools is a {type(tools).__name__}, not a list of tool declarations. Bind tools "
            "with bind_tools([...]), which converts functions, pydantic models and BaseTools."
        )
        raise ValueError(msg)


def check_tools(tools: Sequence[Any]) -> list[str]:
    """Check function names, duplicates and that parameters are an object schema.

    Returns:
        The function names, in order.

    Raises:
        ValueError: Naming the tool and the fix.
    """
    check_tool_list(tools)
    names: list[str] = []
    for position, tool in enumerate(tools):
        if not isinstance(tool, dict):
            msg = (
                f"Tool {position} is {tool!r:.40}, not a tool declaration. Bind tools with "
                "bind_tools([...]), which converts functions, pydantic models and BaseTools."
            )
            raise ValueError(msg)
        if tool.get("type") != "function":
            continue
        function = tool.get("function")
        if not isinstance(function, dict):
            msg = (
                f"Tool {len(names)}: 'function' is {function!r:.40}, not an object. Use "
                "{'type': 'function', 'function': {'name': ..., 'parameters': {...}}}."
            )
            raise ValueError(msg)
        name = check_function_name(function.get("name"))
        if name in names:
            msg = (
                f"Two tools are named {name!r}; Gemini refuses duplicate function "
                "declarations. Rename one of them, or bind each tool once."
            )
            raise ValueError(msg)
        parameters = function.get("parameters")
        if parameters is not None and (
            not isinstance(parameters, Mapping) or parameters.get("type") != "object"
        ):
            kind = parameters.get("type") if isinstance(parameters, Mapping) else parameters
            msg = (
                f"Tool {name!r}: parameters must be an object schema "
                "({'type': 'object', 'properties': {...}}), not "
                f"{kind!r}. Wrap the value in a named property (docs/vertex-facts.md §9)."
            )
            raise ValueError(msg)
        names.append(name)
    return names


def check_tool_choice(tool_choice: Any, names: Sequence[str]) -> None:
    """Refuse a `tool_choice` naming an unbound tool, or forcing a call without tools.

    Args:
        tool_choice: In the form Vertex takes: `"auto"`, `"none"`, `"required"`,
            `"validated"` or `{"type": "function", "function": {"name": ...}}`.
        names: The function tools bound.

    Raises:
        ValueError: Naming the fix.
    """
    if tool_choice in ("required", "validated") and not names:
        msg = (
            f"tool_choice={tool_choice!r} makes the model call a tool, but no function tools "
            "are bound. Bind tools with bind_tools([...]) or drop tool_choice."
        )
        raise ValueError(msg)
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        if name not in names:
            msg = (
                f"tool_choice names {name!r}, which is not one of the bound tools {names}. "
                "Name a bound tool, or bind it."
            )
            raise ValueError(msg)


# -- schemas ----------------------------------------------------------------------------------


def check_schema_depth(schema: Any) -> None:
    """Refuse a schema nested deeper than `MAX_SCHEMA_DEPTH`, without recursing.

    Raises:
        ValueError: Naming the limit and the fix.
    """
    stack: list[tuple[Any, int]] = [(schema, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_SCHEMA_DEPTH:
            raise schema_depth_error()
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


def schema_depth_error() -> ValueError:
    """The refusal of a schema nested too deep to rewrite."""
    msg = (
        f"the schema is nested more than {MAX_SCHEMA_DEPTH} levels deep, which this client "
        "does not send. Flatten it (e.g. pass deep data as a JSON string field)."
    )
    return ValueError(msg)


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref.rsplit("/", 1)[-1])
            stack.extend(v for k, v in item.items() if k not in ("$defs", "definitions"))
        elif isinstance(item, list):
            stack.extend(item)
    return found


def schema_definitions(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema's named definitions (`definitions` and `$defs`, the latter winning).

    Raises:
        ValueError: If either is not an object of schemas.
    """
    definitions: dict[str, Any] = {}
    for key in ("definitions", "$defs"):
        found = schema.get(key, {})
        if not isinstance(found, Mapping):
            msg = f"{key!r} is a {type(found).__name__}, not an object of named schemas."
            raise ValueError(msg)
        definitions.update(found)
    return definitions


def find_recursion(schema: Mapping[str, Any]) -> list[str] | None:
    """Return a reference cycle reachable from the schema's root (`[A, B, A]`), or None."""
    definitions = schema_definitions(schema)
    if not definitions:
        return None
    edges = {name: sorted(_refs(body)) for name, body in definitions.items()}
    path: list[str] = []
    done: set[str] = set()
    # Depth-first search without recursion: (name, index of the next edge to follow).
    for root in sorted(_refs(schema)):
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            name, position = stack.pop()
            if position == 0:
                if name in path:
                    return [*path[path.index(name) :], name]
                if name in done or name not in edges:
                    continue
                path.append(name)
            if position < len(edges[name]):
                stack.append((name, position + 1))
                stack.append((edges[name][position], 0))
            else:
                path.pop()
                done.add(name)
    return None


def recursive_schema_error(cycle: Sequence[str] | None) -> ValueError:
    """The one refusal of a recursive schema, whichever method sends it."""
    where = f" ({' -> '.join(cycle)})" if cycle else ""
    msg = (
        f"the schema is recursive{where}, and Gemini does not accept "
        "recursive schemas (docs/vertex-facts.md §9). Bound the depth with separate models "
        "(e.g. a Node whose children are Leaf models without children), or pass the nested "
        "data as a JSON string field."
    )
    return ValueError(msg)


def enum_error(values: Sequence[Any], path: str) -> ValueError:
    """The refusal of an enum Gemini cannot take: mixed kinds, or objects (§9)."""
    kinds = sorted({type(value).__name__ for value in values})
    msg = (
        f"the enum at {path} holds {', '.join(kinds)} values ({list(values)!r:.80}); Gemini "
        "enums hold strings only (docs/vertex-facts.md §9), and this client sends an enum of "
        "numbers or booleans alone as a note in the description. Use one kind: strings "
        "(e.g. Literal['1', 'auto']), or numbers only."
    )
    return ValueError(msg)


def check_encodable(value: Any) -> None:
    """Refuse a tool declaration holding text UTF-8 cannot encode (lone surrogates).

    Raises:
        ValueError: Naming the fix.
    """
    bad = _unencodable(value)
    if bad is not None:
        _check_text(bad, "the declaration")
