"""Partner models' reasoning: the `reasoning_content` field and inline `<think>` text.

Partner (MaaS) reasoning models answer in one of two shapes (docs/vertex-facts.md §12):
a separate `reasoning_content` field, or reasoning written inline at the start of
`content` and ended by `</think>`, often without the opening tag (DeepSeek's chat
template opens it in the prompt). Both become reasoning, never answer text. Gemini's
visible thoughts are a different mechanism (`_thoughts`, the tag marker), so inline tags
are only read for partner models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from langchain_vertex_openai._catalog import model_facts
from langchain_vertex_openai._shape import optional_str
from langchain_vertex_openai._thoughts import partial_tag_suffix

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"


REASONING = "reasoning_content"
"""The field partner models put their reasoning in (a message's or a delta's)."""


def reasoning_field(holder: dict[str, Any], where: str) -> str:
    """The `reasoning_content` of a message or delta ("" when absent)."""
    return optional_str(holder.get(REASONING), f"{where}.{REASONING}") or ""


def opens_reasoning_implicitly(model: str) -> bool:
    """Whether a partner model may begin its reply inside reasoning (a bare `</think>`).

    The catalogue's `inline_think_tags` (DeepSeek, docs/vertex-facts.md §12). A stream
    from such a model is held back until `</think>` arrives or the stream ends: text
    before a bare closing tag is reasoning, and cannot be taken back once sent as answer
    text. Other partner models stream at once; a leading `<think>` block is still split
    off, and their complete (non-streamed) answers also at a bare closing tag.
    """
    return model_facts(model).inline_think_tags


def split_inline_reasoning(text: str) -> tuple[str, str]:
    """Split a whole partner reply into (reasoning, answer)."""
    splitter = InlineReasoning(implicit_open=True)
    reasoning, answer = splitter.feed(text)
    more_reasoning, more_answer = splitter.flush()
    return reasoning + more_reasoning, answer + more_answer


@dataclass
class InlineReasoning:
    """Split a partner reply, streamed or whole, into reasoning and answer text.

    Reasoning is a leading `<think>...</think>` block (whitespace before it allowed),
    or with `implicit_open` everything before a first bare `</think>`. Tags split across
    chunks are held back until they are complete. Whitespace right after the closing
    tag is dropped from the answer. Later tags are answer text: partner models reason
    first, then answer.
    """

    implicit_open: bool = False
    """The reply may start inside reasoning: hold text until `</think>` or the end."""
    _state: Literal["start", "reasoning", "unsure", "answer"] = "start"
    _held: str = ""
    _after_close: bool = False

    def feed(self, text: str) -> tuple[str, str]:
        """Consume a chunk of text; return the (reasoning, answer) it completes."""
        held = self._held + text
        reasoning = answer = ""
        if self._state == "start":
            stripped = held.lstrip()
            if stripped.startswith(OPEN_TAG):
                held, self._state = stripped[len(OPEN_TAG) :], "reasoning"
            elif OPEN_TAG.startswith(stripped):
                self._held = held  # only whitespace or the start of `<think>` so far
                return "", ""
            else:
                self._state = "unsure" if self.implicit_open else "answer"
        if self._state in ("reasoning", "unsure"):
            position = held.find(CLOSE_TAG)
            if position >= 0:
                reasoning = held[:position]
                held = held[position + len(CLOSE_TAG) :]
                self._state, self._after_close = "answer", True
            elif self._state == "reasoning":
                keep = partial_tag_suffix(held, CLOSE_TAG)
                self._held = held[len(held) - keep :]
                return held[: len(held) - keep], ""
            else:
                self._held = held
                return "", ""
        if self._after_close:
            held = held.lstrip()
            self._after_close = not held
        self._held = ""
        answer = held
        return reasoning, answer

    def field_seen(self) -> None:
        """A `reasoning_content` field arrived: this reply does not reason untagged inline.

        Stops holding text back for a bare `</think>` (what was held is answer text), so
        a model that uses the field streams its answer as it comes.
        """
        self.implicit_open = False
        if self._state == "unsure":
            self._state = "answer"

    def flush(self) -> tuple[str, str]:
        """Return what was held back, at the end of the reply."""
        held, self._held = self._held, ""
        if self._state == "reasoning":
            return held, ""  # cut off inside reasoning (e.g. finish_reason "length")
        return "", held
