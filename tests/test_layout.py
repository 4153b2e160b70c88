"""The package's layout holds: core/ and store/ import nothing above them, no modules import each other in a
circle, and the README's layout table names every folder of the package."""
import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "webmap"
README = PACKAGE.parent / "README.md"
KERNEL = ("webmap.core", "webmap.store")


def module_name(path: Path) -> str:
    """Return the dotted module name of a file in the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """Return the package's modules that a file imports when it is loaded (module-level imports)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            candidates = [target] if node.module else []
            candidates += [f"{target}.{alias.name}" for alias in node.names]
            found.update(c for c in candidates if c in known)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
    return found - {name}


def import_graph() -> dict[str, set[str]]:
    """Return each module of the package with the package's modules it imports."""
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(f) for f in files}
    return {module_name(f): imported_modules(f, known) for f in files}


def test_core_and_store_import_nothing_above_them():
    graph = import_graph()
    upward = sorted((module, target) for module, targets in graph.items() for target in targets
                    if module.startswith(KERNEL) and not target.startswith(KERNEL))
    assert upward == []


def test_no_modules_import_each_other_in_a_circle():
    graph = import_graph()
    circles = []

    def visit(module: str, path: list[str]) -> None:
        for target in graph[module]:
            if target in path:
                circles.append(path[path.index(target):] + [target])
            elif target not in done:
                visit(target, path + [target])
        done.add(module)

    done: set[str] = set()
    for module in graph:
        if module not in done:
            visit(module, [module])
    assert circles == []


def test_readme_layout_names_every_folder_of_the_package():
    folders = {f"webmap/{p.name}/" for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    layout = README.read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(webmap/\w+/)` \|", layout, re.M))
    assert listed == folders
