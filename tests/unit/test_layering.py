"""The region/AZ split of DESIGN.md, as imports: an AZ's servers never load the controller's code, and the
controller reaches nodes only through their actor and gRPC contracts.

`azlab.nodes` may import `azlab.common` and the generated contracts, never `azlab.cluster`;
`azlab.common` imports neither side; `azlab.cluster` imports of `azlab.nodes` only what `CLUSTER_REACHES`
names (the rest of the node side it starts as programs, by module name, as every data-plane server).
Read from the source, so an import inside a function counts too.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = {"nodes": ("azlab.cluster",), "common": ("azlab.cluster", "azlab.nodes"), "cluster": ("azlab.nodes",)}
# What cluster/ may import of azlab.nodes, and why it cannot do without.
CLUSTER_REACHES = {
    "azlab.nodes": "the package itself, which importing one of these loads (each named below all the same)",
    "azlab.nodes.agent": "the node-agent actor class, which the fleet creates on each node (cluster/fleet.py)",
    "azlab.nodes.agent.NodeAgent": "the same",
    "azlab.nodes.machine": "`azlab machine-agent`: the machine agent's entry point, in the one azlab command",
}


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


@pytest.mark.parametrize("folder", sorted(RULES))
def test_a_layer_imports_only_what_lies_beneath_it(folder):
    forbidden = RULES[folder]
    broken = sorted({f"{path.relative_to(ROOT)}:{line}: {name}"
                     for path in (ROOT / folder).rglob("*.py")
                     for line, name in imports(path)
                     if any(name == f or name.startswith(f + ".") for f in forbidden) and
                     not (folder == "cluster" and name in CLUSTER_REACHES)})
    assert broken == [], f"{folder}/ must not import {', '.join(forbidden)}"


def test_the_rule_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from azlab.cluster import lab\n")
    assert (2, "azlab.cluster.lab") in imports(module)
