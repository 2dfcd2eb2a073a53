"""The package metadata tells the truth: Python version, dependencies, licence."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE = ROOT / "langchain_vertex_openai"


def _lowest(spec: str) -> Version:
    return min(Version(s.version) for s in SpecifierSet(spec) if s.operator in (">=", ">"))


def _declared() -> set[str]:
    names = {Requirement(r).name.lower() for r in PYPROJECT["project"]["dependencies"]}
    return {name.replace("_", "-") for name in names}


def test_requires_python_is_what_langchain_core_needs():
    ours = _lowest(PYPROJECT["project"]["requires-python"])
    core = importlib.metadata.metadata("langchain-core")["Requires-Python"]
    assert ours >= _lowest(core), f"langchain-core needs {core}; pyproject says {ours}"


def test_ruff_targets_the_lowest_supported_python():
    ours = _lowest(PYPROJECT["project"]["requires-python"])
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py{ours.major}{ours.minor}"


def _imported_top_level_modules() -> set[str]:
    modules: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "pytest_plugin.py":
            continue  # loaded by pytest only, so pytest is there
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"langchain_vertex_openai", "__future__"}


def test_every_directly_imported_distribution_is_declared():
    providers = importlib.metadata.packages_distributions()
    declared = _declared()
    for module in sorted(_imported_top_level_modules()):
        distributions = {name.lower() for name in providers.get(module, [module])}
        assert distributions & declared, f"{module} is imported but {distributions} not declared"


def test_httpx2_range_fits_the_one_openai_requires():
    ours = next(
        Requirement(r)
        for r in PYPROJECT["project"]["dependencies"]
        if Requirement(r).name == "httpx2"
    )
    theirs = next(
        Requirement(r)
        for r in importlib.metadata.requires("openai") or []
        if Requirement(r).name == "httpx2" and not Requirement(r).marker
    )
    installed = Version(importlib.metadata.version("httpx2"))
    assert installed in ours.specifier
    assert installed in theirs.specifier
    assert _lowest(str(ours.specifier)) >= _lowest(str(theirs.specifier))


def test_licence_ships_with_the_models_dev_notice():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "models.dev" in text
    assert len(re.findall(r"Permission is hereby granted", text)) == 2
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
