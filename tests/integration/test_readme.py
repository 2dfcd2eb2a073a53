"""Every Python block in README.md runs, as written, against the emulator.

The convention (also in CONTRIBUTING.md):

- Every fenced ```` ```python ```` block starts at the beginning of a line (an indented block
  would escape this test, so it fails instead).
- Blocks run in order, one namespace per `##` section: a section starts fresh, so its first
  block builds (and imports) what the later ones use.
- Models reach the emulator through the environment a user would set to force it:
  `VERTEX_OPENAI_BASE_URL` (the emulator's URL) and `VERTEX_ACCESS_TOKEN` (a token it issued),
  so `ChatVertexOpenAI(project="my-project")` runs unchanged. The emulator is strict: README
  code must not rely on fields Vertex would drop.
- A block may not warn (a `UserWarning`, e.g. for a retired model id, fails the test): readers
  copy them.
- Top-level `await` works (blocks are compiled as in `python -m asyncio` and run with
  `asyncio.run`).
- Blocks run in a temporary working directory holding `photo.png`, `report.pdf` and
  `speech.wav`, the files the multimodal example reads.
- A block that needs real Google (credentials, a key file, a cluster) is preceded by the line
  `<!-- needs: google -->` and then a visible note starting `> **Needs Google:**` saying what it
  needs. It is compiled (so it cannot hold a syntax error) and reported as skipped with that
  reason; no other `needs:` value is accepted.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from langchain_vertex_openai.testing import VertexEmulator
from langchain_vertex_openai.testing.pytest_plugin import emulator_fixture
from tests import media

README = Path(__file__).resolve().parents[2] / "README.md"
_FENCE = re.compile(r"^(\s*)```python\s*$")
_MARKER = re.compile(r"^<!--\s*needs:\s*(?P<what>[\w-]+)\s*-->$")
_NOTE = "> **Needs Google:**"


@dataclass(frozen=True)
class Block:
    section: str
    line: int  # 1-based line of the opening fence
    code: str
    needs_google: str | None  # the visible note's reason, for marked blocks

    @property
    def name(self) -> str:
        return f"README.md:{self.line} ({self.section})"


def _parse(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    section = "(top)"
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:].strip()
        fence = _FENCE.match(line)
        if fence is None:
            index += 1
            continue
        if fence.group(1):
            msg = f"README.md:{index + 1}: python blocks must not be indented (this test runs them)"
            raise AssertionError(msg)
        end = next((n for n in range(index + 1, len(lines)) if lines[n].strip() == "```"), None)
        assert end is not None, f"README.md:{index + 1}: unclosed python block"
        blocks.append(
            Block(section, index + 1, "\n".join(lines[index + 1 : end]), _needs(lines, index))
        )
        index = end + 1
    return blocks


def _needs(lines: list[str], fence: int) -> str | None:
    """The visible reason of a `<!-- needs: google -->` block, or None for a runnable one."""
    marker = _MARKER.match(lines[fence - 2]) if fence >= 2 else None
    if marker is None:
        assert not any(_MARKER.match(line) for line in lines[max(fence - 3, 0) : fence]), (
            f"README.md:{fence + 1}: the marker goes right above the visible note, "
            "which goes right above the block"
        )
        return None
    assert marker.group("what") == "google", (
        f"README.md:{fence - 1}: unknown marker {marker.group('what')!r}; only "
        "`<!-- needs: google -->` is understood"
    )
    note = lines[fence - 1]
    assert note.startswith(_NOTE), (
        f"README.md:{fence}: a `needs: google` block needs a visible note starting {_NOTE!r}"
    )
    return note.removeprefix(_NOTE).strip()


BLOCKS = _parse(README.read_text(encoding="utf-8"))
SECTIONS = list(dict.fromkeys(block.section for block in BLOCKS if block.needs_google is None))
NEEDS_GOOGLE = [block for block in BLOCKS if block.needs_google is not None]


def _compile(block: Block) -> Any:
    return compile(
        block.code, block.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )


def _run(block: Block, namespace: dict[str, Any]) -> None:
    code = _compile(block)
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, namespace))
    else:
        exec(code, namespace)


readme_emulator = emulator_fixture(scope="module", strict=True)


@pytest.fixture
def readme_env(
    readme_emulator: VertexEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> VertexEmulator:
    """What a user sets to force the emulator, and the files the examples read."""
    monkeypatch.setenv("VERTEX_OPENAI_BASE_URL", readme_emulator.base_url)
    monkeypatch.setenv("VERTEX_ACCESS_TOKEN", readme_emulator.issue_token())
    (tmp_path / "photo.png").write_bytes(media.png())
    (tmp_path / "report.pdf").write_bytes(media.PDF)
    (tmp_path / "speech.wav").write_bytes(media.wav())
    monkeypatch.chdir(tmp_path)
    return readme_emulator


def test_the_readme_has_python_blocks_and_marks_few():
    assert len(BLOCKS) >= 10
    assert len(NEEDS_GOOGLE) <= 3, "most README blocks must run offline"


@pytest.mark.filterwarnings("error::UserWarning")  # e.g. a retired model id in the README
@pytest.mark.parametrize("section", SECTIONS)
def test_readme_section_runs_against_the_emulator(section: str, readme_env: VertexEmulator):
    before = len(readme_env.requests)
    namespace: dict[str, Any] = {"__name__": "readme"}
    for block in BLOCKS:
        if block.section == section and block.needs_google is None:
            _run(block, namespace)
    if section == "Quick start":
        assert len(readme_env.requests) > before, "the quick start reached the emulator"


@pytest.mark.parametrize("block", NEEDS_GOOGLE, ids=[block.name for block in NEEDS_GOOGLE])
def test_readme_block_needing_google_is_skipped_with_its_reason(block: Block):
    _compile(block)  # a skipped block still may not hold a syntax error
    pytest.skip(f"needs Google: {block.needs_google}")


def test_block_parser_follows_the_convention():
    text = "\n".join(
        [
            "## A",
            "```python",
            "x = 1",
            "```",
            "<!-- needs: google -->",
            "> **Needs Google:** a key file.",
            "```python",
            "y = open('sa.json')",
            "```",
            "## B",
            "```python",
            "await z()",
            "```",
        ]
    )
    blocks = _parse(text)
    assert [(b.section, b.needs_google) for b in blocks] == [
        ("A", None),
        ("A", "a key file."),
        ("B", None),
    ]
    with pytest.raises(AssertionError, match="visible note"):
        _parse("<!-- needs: google -->\n```python\nx = 1\n```")
    with pytest.raises(AssertionError, match="unknown marker"):
        _parse("<!-- needs: ray -->\n> **Needs Google:** x\n```python\nx = 1\n```")
    with pytest.raises(AssertionError, match="indented"):
        _parse("- item\n  ```python\n  x = 1\n  ```")
