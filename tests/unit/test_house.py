"""CI, the Makefile and the pytest settings stay in step (so `make check` means green CI)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _ci_steps() -> list[str]:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.startswith(".venv/bin/") and "pip install" not in line]


def test_ci_checks_format_lint_types_and_tests():
    steps = " ".join(_ci_steps())
    for step in ("ruff check", "ruff format --check", "mypy", "-m pytest"):
        assert step in steps


def test_make_check_runs_what_ci_runs():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    check = re.search(r"^check:([^#\n]*)", makefile, re.M)
    assert check is not None
    targets = check.group(1).split()
    recipes = {
        name: body
        for name, body in re.findall(r"^([\w-]+):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.M)
    }
    commands = " ".join(recipes[target] for target in targets)
    for step in ("ruff check", "ruff format --check", "mypy", "-m pytest"):
        assert step in commands, f"make check does not run {step}"
    sources = re.search(r"^SOURCES := (.*)$", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert sources is not None
    assert f"SOURCES=({sources.group(1)})" in ci, "CI and the Makefile lint the same folders"


def test_every_test_has_a_time_limit():
    pytest_options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "pytest"
    ]["ini_options"]
    assert 0 < int(pytest_options["timeout"]) <= 300
