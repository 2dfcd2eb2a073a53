"""The emulator's deterministic "model": what it answers to a validated request.

Rules, in order (the same request always gets the same answer):

1. **Safety** (emulator choices; the fact sheet documents only the ``safety_settings`` keys, §4):
   - the last user text contains ``safety_prompt_trigger``: the prompt is blocked (Vertex's
     native API answers no candidates and ``promptFeedback.blockReason``; the rendering on
     this endpoint is chosen in ``wire.py``). Reason ``PROHIBITED_CONTENT``, which
     ``safety_settings`` cannot lower, so settings never unblock it;
   - else it contains ``safety_trigger``: the answer is blocked (``finish_reason:
     "content_filter"``, no content), attributed to ``HARM_CATEGORY_DANGEROUS_CONTENT`` —
     unless ``safety_settings`` sets that category to ``BLOCK_NONE`` or ``OFF``, which
     lets the answer through (so tests can see that settings reach the server).
2. **Tools** (bound tools and ``tool_choice`` not ``"none"``):
   - ``required`` / ``validated``-forced / a named function object: always call (the named
     function, else the tool mentioned in the last user text, else the first tool);
   - ``auto`` / ``validated``: if the last message is a tool result, answer in text
     ``"Based on the tool results: <name>: <content>; ..."``; otherwise call each bound tool
     whose name (or name with underscores as spaces, or without a leading verb such as
     ``get_``: "weather" names ``get_weather``) appears in the LAST user message, one
     call per occurrence, in order of appearance (so "get_weather for 'Paris' and get_weather
     for 'London'" gives two parallel calls); no mention means a text answer.
   - Arguments validate against the tool's schema (see :func:`generate_value`): every
     required property, optional ones only when the prompt names them; integers/numbers from
     the numbers in the prompt in order, strings from quoted spans (``'...'`` / ``"..."``) in
     order, else ``<prop> is <value>`` / ``<prop>: <value>`` mentions, else a word of the
     prompt; booleans ``true``; enums their first value; arrays one item; nested objects
     recursively; ``$ref``/``$defs`` resolved. Values are taken from the text following each
     mention of the tool first, then from the whole last user message.
3. **Structured output**: ``response_format`` ``json_schema`` gives JSON valid for the schema,
   pretty-printed with 2-space indent and property order reversed (§7); ``json_object`` gives
   an object whose keys are the quoted words of the prompt (``'setup' and 'punchline'``),
   else ``{"response": <text answer>}``, pretty-printed.
4. **Text**: ``Repeat exactly: X`` -> ``X``; ``say "X"`` -> ``X``; "what did I say" ->
   ``You said: "..."; "..."`` listing the earlier user turns (with their count); "what is my
   name" -> the name given earlier as "my name is X"; otherwise
   ``Emulated reply from <model>: <last user text, truncated to 200 chars>``, plus
   `` (received: <media>)`` when that message carried media, e.g. ``1 image/png (70 B),
   1 application/pdf (gs://bucket/x.pdf)`` (decoded sizes of inline data, URIs named;
   see ``media.describe``). Tool-result answers (rule 2) describe each result's media the
   same way.
5. **Thoughts** (``include_thoughts``; always for DeepSeek-style partner reasoning models):
   a one-paragraph summary that mentions the plan.
6. **Images** (image models, §1): the answer is a small PNG (see ``wire.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_vertex_openai.testing.media import describe as describe_media
from langchain_vertex_openai.testing.request import ChatRequest, Msg, ToolSpec

_QUOTED = re.compile(r"\"([^\"]*)\"|(?<![\w])'([^']+)'(?![\w])")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://\S+")
_STOPWORDS = frozenset(
    " ".join(
        (
            "the and for with use call please what whats tell about from into that this then",
            "give show find get set using tool tools function can you your are was were have",
            "has will would should could there their them they its how why when where which",
            "who weather",
        )
    ).split()
)
_MAX_DEPTH = 6
#: Leading verbs dropped from a tool name to find its mention ("get_weather" -> "weather").
_VERBS = frozenset(
    {"get", "fetch", "lookup", "look", "find", "search", "query", "call", "run", "list", "check"}
)


@dataclass
class PlannedCall:
    """A tool call the emulator will answer with.

    Attributes:
        name: Function name.
        arguments: The arguments JSON text.
        id: Explicit call id, or None to follow the emulator's ``tool_call_id_style``.
        signature: Explicit thought signature (with ``auto_signature`` False).
        auto_signature: Whether the server issues a signature (first call, Gemini only).
    """

    name: str
    arguments: str
    id: str | None = None
    signature: str | None = None
    auto_signature: bool = True


@dataclass
class Plan:
    """What to answer, before rendering in the wire format.

    Attributes:
        content: Answer text (without thoughts), or None.
        tool_calls: Tool calls to make.
        thought: Thought summary text (only with ``include_thoughts``).
        blocked: Safety block of the answer (``content_filter``).
        prompt_blocked: Safety block of the prompt (no choices at all).
        scripted: Whether a test script supplied this answer (no truncation / stop).
        finish_reason: Explicit finish reason.
        usage: Explicit usage object (verbatim).
        reasoning_tokens: Explicit reasoning token count.
        message_extra_content: Extra ``extra_content`` merged into the message.
    """

    content: str | None = None
    tool_calls: list[PlannedCall] = field(default_factory=list)
    thought: str | None = None
    blocked: bool = False
    prompt_blocked: bool = False
    scripted: bool = False
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    reasoning_tokens: int | None = None
    message_extra_content: dict[str, Any] | None = None


class ValueSource:
    """Values taken from a prompt, consumed in order."""

    def __init__(self, text: str, fallback: ValueSource | None = None) -> None:
        self.text = text
        self.quoted: list[str] = [a or b for a, b in _QUOTED.findall(text)]
        unquoted = _QUOTED.sub(" ", text)
        self.numbers = [float(n) if "." in n else int(n) for n in _NUMBER.findall(unquoted)]
        self.words: list[str] = [w for w in _WORD.findall(unquoted) if w.lower() not in _STOPWORDS]
        self.fallback = fallback

    def mention(self, prop: str) -> str | None:
        """Value given as ``<prop> is X`` / ``<prop>: X`` / ``<prop>=X`` in the text."""
        names = {prop, prop.replace("_", " ")}
        for name in names:
            pattern = re.compile(
                rf"\b{re.escape(name)}\b\s*(?:=|:|\bis\b|\bof\b)\s*"
                r"(\"[^\"]*\"|'[^']*'|[^\s,;]+)",
                re.IGNORECASE,
            )
            match = pattern.search(self.text)
            if match:
                value = str(match.group(1))
                return value[1:-1] if value[:1] in "'\"" else value.rstrip(".!?")
        return self.fallback.mention(prop) if self.fallback else None

    def names(self, prop: str) -> bool:
        """Whether the text names ``prop`` (or it with spaces for underscores)."""
        lowered = self.text.lower()
        return prop.lower() in lowered or prop.replace("_", " ").lower() in lowered

    def number(self) -> int | float | None:
        """The next number, or None."""
        if self.numbers:
            return self.numbers.pop(0)
        return self.fallback.number() if self.fallback else None

    def string(self) -> str | None:
        """The next quoted span, or None."""
        if self.quoted:
            return self.quoted.pop(0)
        return self.fallback.string() if self.fallback else None

    def word(self) -> str | None:
        """The next non-stopword, or None."""
        if self.words:
            return self.words.pop(0)
        return self.fallback.word() if self.fallback else None


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return _resolve(merged, root) if "$ref" in target else merged
    return schema


def _schema_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _convert(text: str, kind: str) -> Any:
    if kind in ("integer", "number"):
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if kind == "integer" else number
    if kind == "boolean":
        return text.lower() not in ("false", "no", "0")
    return text


def _string(schema: dict[str, Any], source: ValueSource, prop: str) -> str:
    fmt = schema.get("format")
    patterns = {"date": _DATE, "date-time": _DATETIME, "email": _EMAIL, "uri": _URL}
    defaults = {
        "date": "2026-01-01",
        "date-time": "2026-01-01T00:00:00Z",
        "email": "user@example.com",
        "uri": "https://example.com",
    }
    if isinstance(fmt, str) and fmt in patterns:
        match = patterns[fmt].search(source.text)
        return match.group(0) if match else defaults[fmt]
    value = source.mention(prop) if prop else None
    value = value or source.string() or source.word() or (prop or "example")
    min_len = schema.get("minLength")
    max_len = schema.get("maxLength")
    if isinstance(min_len, int) and len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    if isinstance(max_len, int) and len(value) > max_len:
        value = value[:max_len]
    return value


def _number(schema: dict[str, Any], source: ValueSource, kind: str, prop: str) -> int | float:
    mentioned = _convert(source.mention(prop) or "", kind) if prop else None
    value = mentioned if mentioned is not None else source.number()
    if value is None:
        value = schema.get("minimum", 1)
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if isinstance(lo, (int, float)) and value < lo:
        value = lo
    if isinstance(hi, (int, float)) and value > hi:
        value = hi
    return int(value) if kind == "integer" else float(value)


def generate_value(
    schema: Any,
    source: ValueSource,
    *,
    root: dict[str, Any] | None = None,
    prop: str = "",
    reverse: bool = False,
    depth: int = 0,
) -> Any:
    """Generate a value that validates against ``schema``, using values from the prompt.

    Args:
        schema: A JSON schema (OpenAPI subset plus ``$ref``/``anyOf``/``const``).
        source: Prompt values, consumed in order.
        root: The root schema for ``$ref`` resolution (defaults to ``schema``).
        prop: The property name this value is for (for ``<prop> is X`` mentions).
        reverse: Emit object properties in reverse schema order (structured output, §7).
        depth: Recursion depth (recursive schemas are cut short).

    Returns:
        The generated JSON value.
    """
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    node = _resolve(schema, root)
    if "const" in node:
        return node["const"]
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and options:
            resolved = [_resolve(o, root) for o in options]
            pick = next((o for o in resolved if _schema_type(o) != "null"), resolved[0])
            return generate_value(
                pick, source, root=root, prop=prop, reverse=reverse, depth=depth + 1
            )
    if isinstance(node.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in node["allOf"]:
            merged.update(_resolve(part, root))
        return generate_value(merged, source, root=root, prop=prop, reverse=reverse, depth=depth)
    kind = _schema_type(node)
    if kind == "null":
        return None
    if kind == "boolean":
        mentioned = source.mention(prop) if prop else None
        return _convert(mentioned, "boolean") if mentioned else True
    if kind in ("integer", "number"):
        return _number(node, source, kind, prop)
    if kind == "array":
        min_items = node.get("minItems", 1)
        max_items = node.get("maxItems")
        count = max(1, min_items if isinstance(min_items, int) else 1)
        if isinstance(max_items, int):
            count = min(count, max_items)
        if depth >= _MAX_DEPTH and not min_items:
            return []
        items = node.get("items", {})
        return [
            generate_value(items, source, root=root, prop=prop, reverse=reverse, depth=depth + 1)
            for _ in range(count)
        ]
    if kind == "object":
        return _object(node, source, root, reverse, depth)
    return _string(node, source, prop)


def _object(
    node: dict[str, Any], source: ValueSource, root: dict[str, Any], reverse: bool, depth: int
) -> dict[str, Any]:
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return {}
    required = node.get("required") or []
    values: dict[str, Any] = {}
    for name, sub in properties.items():
        wanted = name in required or (depth < _MAX_DEPTH and source.names(name))
        if wanted:
            values[name] = generate_value(
                sub, source, root=root, prop=name, reverse=reverse, depth=depth + 1
            )
    if reverse:
        return dict(reversed(list(values.items())))
    return values


def _last_user(messages: list[Msg]) -> Msg | None:
    return next((m for m in reversed(messages) if m.role == "user"), None)


def _aliases(name: str) -> set[str]:
    """How a prompt may name a tool: ``get_weather``, ``get weather``, ``weather``."""
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)]
    aliases = {name.lower(), name.replace("_", " ").lower(), " ".join(words)}
    if len(words) > 1 and words[0] in _VERBS:
        core = " ".join(words[1:])
        if len(core) >= 4:
            aliases.add(core)
    return aliases


def _mentions(text: str, tools: list[ToolSpec]) -> list[tuple[int, int, ToolSpec]]:
    found: list[tuple[int, int, ToolSpec]] = []
    lowered = text.lower()
    for tool in tools:
        for alias in _aliases(tool.name):
            for match in re.finditer(rf"(?<![\w]){re.escape(alias)}(?![\w])", lowered):
                found.append((match.start(), match.end(), tool))
    found.sort(key=lambda item: (item[0], -item[1]))
    result: list[tuple[int, int, ToolSpec]] = []
    for start, end, tool in found:
        if result and start < result[-1][1]:
            continue
        result.append((start, end, tool))
    return result


def _arguments(tool: ToolSpec, source: ValueSource) -> str:
    value = generate_value(tool.parameters or {"type": "object", "properties": {}}, source)
    if not isinstance(value, dict):
        value = {}
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _called_this_turn(messages: list[Msg]) -> set[str]:
    """Names of the tools already called since the last user message."""
    user = _last_user(messages)
    start = messages.index(user) + 1 if user is not None else 0
    return {call.name for msg in messages[start:] for call in msg.tool_calls}


def _plan_calls(req: ChatRequest, user_text: str) -> list[PlannedCall]:
    tools = req.tools
    last = req.messages[-1] if req.messages else None
    if last is not None and last.role == "tool":
        # Forced again after results: move on to a tool not used yet this turn (an
        # agent's structured-output tool, say) instead of repeating the same call.
        called = _called_this_turn(req.messages)
        tools = [t for t in tools if t.name not in called] or tools
    mentions = _mentions(user_text, tools)
    whole = ValueSource(user_text)
    forced = req.tool_choice == "required" or req.forced_tool is not None
    if req.forced_tool is not None:
        tool = next(t for t in req.tools if t.name == req.forced_tool)
        return [PlannedCall(tool.name, _arguments(tool, whole))]
    calls: list[PlannedCall] = []
    for i, (_, end, tool) in enumerate(mentions):
        stop = mentions[i + 1][0] if i + 1 < len(mentions) else len(user_text)
        segment = ValueSource(user_text[end:stop], fallback=ValueSource(user_text))
        calls.append(PlannedCall(tool.name, _arguments(tool, segment)))
    if not calls and forced:
        calls.append(PlannedCall(tools[0].name, _arguments(tools[0], whole)))
    return calls


def _tool_results(messages: list[Msg]) -> str:
    results: list[Msg] = []
    for msg in reversed(messages):
        if msg.role != "tool":
            break
        results.insert(0, msg)
    start = results[0].index if results else len(messages)
    caller = next((m for m in reversed(messages[:start]) if m.tool_calls), None)
    parts: list[str] = []
    for pos, msg in enumerate(results):
        name = msg.name
        if name is None and caller is not None:
            by_id = [c for c in caller.tool_calls if c.id and c.id == msg.tool_call_id]
            if len(by_id) == 1:
                name = by_id[0].name
            elif pos < len(caller.tool_calls):
                name = caller.tool_calls[pos].name
        received = f" (received: {describe_media(msg.media)})" if msg.media else ""
        parts.append(f"{name or 'tool'}: {msg.text}{received}")
    return "Based on the tool results: " + "; ".join(parts)


def text_answer(req: ChatRequest) -> str:
    """The plain-text answer (rule 4 of the module docstring).

    Args:
        req: The validated request.

    Returns:
        The answer text.
    """
    user = _last_user(req.messages)
    text = user.text if user else ""
    repeat = re.search(r"repeat exactly:\s*(.+)", text, re.IGNORECASE | re.DOTALL)
    if repeat:
        return repeat.group(1).strip()
    say = re.search(r"\bsay\s+(?:\"([^\"]*)\"|'([^']*)')", text, re.IGNORECASE)
    if say:
        return say.group(1) if say.group(1) is not None else say.group(2)
    earlier = [m.text for m in req.messages if m.role == "user" and m is not user]
    if re.search(r"what (?:did|have) i (?:just )?(?:say|said)", text, re.IGNORECASE):
        if not earlier:
            return "You have not said anything before this message."
        quoted = "; ".join(f'"{t}"' for t in earlier)
        return f"You said ({len(earlier)} earlier messages): {quoted}"
    if re.search(r"what(?:'s| is) my name", text, re.IGNORECASE):
        for said in reversed(earlier):
            name = re.search(r"my name is ([\w-]+)", said, re.IGNORECASE)
            if name:
                return f"Your name is {name.group(1)}."
        return "I don't know your name yet."
    echo = " ".join(text.split())
    if len(echo) > 200:
        echo = echo[:197] + "..."
    answer = f"Emulated reply from {req.model.model}: {echo}".rstrip()
    if user and user.media:
        answer += f" (received: {describe_media(user.media)})"
    return answer


def _structured(req: ChatRequest, fmt: dict[str, Any]) -> str:
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
        if isinstance(schema, dict):
            user = _last_user(req.messages)
            source = ValueSource(user.text if user else "")
            value = generate_value(schema, source, reverse=True)
            return json.dumps(value, indent=2, ensure_ascii=False)
    user = _last_user(req.messages)
    source = ValueSource(user.text if user else "")
    keys = list(dict.fromkeys(k for k in source.quoted if re.fullmatch(r"[\w-]{1,40}", k)))
    if not keys:
        return json.dumps({"response": text_answer(req)}, indent=2, ensure_ascii=False)
    # Keys named in quotes in the prompt ("... with 'setup' and 'punchline' keys").
    value = {key: source.word() or key for key in reversed(keys)}
    return json.dumps(value, indent=2, ensure_ascii=False)


def _thought(req: ChatRequest, plan: Plan) -> str:
    user = _last_user(req.messages)
    excerpt = " ".join((user.text if user else "").split())[:80]
    if plan.tool_calls:
        action = "call " + ", ".join(f"`{c.name}`" for c in plan.tool_calls)
    else:
        action = "answer directly"
    return f'**Considering the request**\n\nThe user wrote: "{excerpt}". I will {action}.\n\n'


#: The category the answer-block trigger is attributed to (emulator choice).
SAFETY_CATEGORY = "HARM_CATEGORY_DANGEROUS_CONTENT"
_UNBLOCKING = frozenset({"BLOCK_NONE", "OFF"})


def plan_reply(
    req: ChatRequest, *, safety_trigger: str | None, prompt_trigger: str | None = None
) -> Plan:
    """Decide the answer to a validated request (see the module docstring).

    Args:
        req: The validated request.
        safety_trigger: Text that blocks the answer, or None.
        prompt_trigger: Text that blocks the prompt, or None.

    Returns:
        The plan.
    """
    user = _last_user(req.messages)
    user_text = user.text if user else ""
    if prompt_trigger and prompt_trigger in user_text:
        return Plan(prompt_blocked=True)
    lifted = req.safety.get(SAFETY_CATEGORY) in _UNBLOCKING
    if safety_trigger and safety_trigger in user_text and not lifted:
        return Plan(blocked=True)
    plan = Plan()
    last = req.messages[-1] if req.messages else None
    wants_tools = bool(req.tools) and req.tool_choice != "none"
    forced = req.tool_choice == "required" or req.forced_tool is not None
    if wants_tools and (forced or (last is not None and last.role != "tool")):
        plan.tool_calls = _plan_calls(req, user_text)
    if not plan.tool_calls:
        if req.response_format is not None:
            plan.content = _structured(req, req.response_format)
        elif last is not None and last.role == "tool":
            plan.content = _tool_results(req.messages)
        else:
            plan.content = text_answer(req)
    # Gemini shows thoughts when asked (§5); DeepSeek-style partner models always write their
    # reasoning (§12: no switch documented).
    shows = req.thinking.include_thoughts or req.model.partner_reasoning == "deepseek"
    if req.thinking.enabled and shows:
        plan.thought = _thought(req, plan)
    return plan
