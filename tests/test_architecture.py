"""The package's layers, read from its imports: dependencies point one way.

foundation (config, errors, i18n, text, vocab) <- knowledge <- io; foundation <- embeddings, store;
{knowledge, io, embeddings} <- scoring <- retrieval <- evaluation; {scoring, store} <- exports; all <- cli, ui.
Only ui/ imports streamlit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "matchmaker"
FOUNDATION = {"config", "errors", "i18n", "text", "vocab"}
ALLOWED: dict[str, set[str]] = {
    "foundation": set(),
    "knowledge": {"foundation"},
    "io": {"foundation", "knowledge"},
    "embeddings": {"foundation"},
    "store": {"foundation"},
    "scoring": {"foundation", "knowledge", "io", "embeddings"},
    "retrieval": {"foundation", "knowledge", "io", "embeddings", "scoring"},
    "evaluation": {"foundation", "knowledge", "io", "embeddings", "scoring", "retrieval"},
    "exports": {"foundation", "knowledge", "io", "embeddings", "scoring", "store"},
    "cli": {"foundation", "knowledge", "io", "embeddings", "scoring", "retrieval", "evaluation", "store", "exports"},
    "ui": {"foundation", "knowledge", "io", "embeddings", "scoring", "retrieval", "evaluation", "store", "exports"},
}
ALLOWED["__init__"] = ALLOWED["cli"]  # the public API re-exports from every layer below the edges
# inside the foundation: vocab stands alone; the others may read vocab only
FOUNDATION_ALLOWED = {"vocab": set(), "config": set(), "errors": set(), "text": {"vocab"}, "i18n": {"vocab"}}


def layer_of(module: str) -> str | None:
    """``matchmaker.scoring.matcher`` -> ``scoring``; ``matchmaker.vocab`` -> ``foundation``."""
    parts = module.split(".")
    if parts[0] != "matchmaker" or len(parts) == 1:
        return None
    return "foundation" if parts[1] in FOUNDATION else parts[1]


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (absolute, or relative resolved against its package), with the line."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            if module == "matchmaker":  # from matchmaker import vocab
                found += [(node.lineno, f"matchmaker.{alias.name}") for alias in node.names]
    return found


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def violations() -> list[str]:
    problems = []
    for path in source_files():
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        own = layer_of(module)
        for line, imported in imports_of(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}"
            if imported.split(".")[0] == "streamlit" and own != "ui":
                problems.append(f"{where}: only matchmaker/ui may import streamlit")
            target = layer_of(imported)
            if target is None or own is None or target == own and own != "foundation":
                continue
            if own == "foundation":
                name, other = module.split(".")[1], imported.split(".")[1]
                if target != "foundation" or (other != name and other not in FOUNDATION_ALLOWED[name]):
                    problems.append(
                        f"{where}: the foundation module {name} may import only {FOUNDATION_ALLOWED[name] or 'nothing'}"
                    )
            elif target not in ALLOWED[own]:
                problems.append(f"{where}: {own} may depend on {sorted(ALLOWED[own])} only")
    return problems


def test_every_sub_package_has_a_place_in_the_layers():
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert rooms <= set(ALLOWED), f"new sub-package(s) {rooms - set(ALLOWED)}: give them a layer in ALLOWED"
    assert modules <= FOUNDATION, f"new top-level module(s) {modules - FOUNDATION}: put them in a sub-package"


def test_dependencies_point_one_way():
    assert violations() == []


@pytest.mark.parametrize(
    "source, imported, problem",
    [
        ("knowledge/taxonomy.py", "from matchmaker.scoring.matcher import Matcher", "knowledge may depend on"),
        ("vocab.py", "from matchmaker import config", "foundation module vocab"),
        ("scoring/explain.py", "import streamlit as st", "only matchmaker/ui may import streamlit"),
        ("store/database.py", "from ..scoring import weights", "store may depend on"),
    ],
)
def test_the_check_catches_an_import_against_the_order(tmp_path, monkeypatch, source, imported, problem):
    """The checker itself, on a copy of the package with one bad import added."""
    import shutil

    copy = tmp_path / "matchmaker"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = copy / source
    target.write_text(target.read_text(encoding="utf-8") + f"\n{imported}\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", copy)
    found = violations()
    assert any(problem in message and source in message for message in found), found
