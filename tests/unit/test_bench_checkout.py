"""`bench failover` runs each side's own checkout: with bench/tree on PYTHONPATH and AZLAB_TREE naming a checkout,
`azlab.*` comes from that checkout's package-dir, not from the editable install, and a module the checkout lacks
is missing rather than found in the installed tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """[tool.setuptools]
package-dir = { "azlab" = "protos/azlab", "azlab.cluster" = "cluster" }
"""


def imported(tree: Path, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AZLAB_TREE": str(tree), "PYTHONPATH": str(ROOT / "bench" / "tree")}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def checkout(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    for folder in ("protos/azlab", "protos/azlab/sqs", "cluster", "cluster/sqs"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "cluster" / "sqs" / "model.py").write_text("WHERE = 'checkout'\n")
    return tmp_path


def test_azlab_and_its_subpackages_come_from_the_checkout(tmp_path):
    tree = checkout(tmp_path)
    done = imported(tree, "import azlab, azlab.sqs, azlab.cluster.sqs.model as m; "
                          "print(azlab.__file__, azlab.sqs.__file__, m.__file__, m.WHERE)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tree / "protos/azlab/__init__.py"), str(tree / "protos/azlab/sqs/__init__.py"),
                                   str(tree / "cluster/sqs/model.py"), "checkout"]


def test_a_module_the_checkout_lacks_is_missing_not_taken_from_the_installed_tree(tmp_path):
    tree = checkout(tmp_path)
    assert (ROOT / "cluster" / "sdk.py").exists()  # the installed tree has it
    done = imported(tree, "import azlab.cluster.sdk")
    assert done.returncode != 0 and "ModuleNotFoundError: No module named 'azlab.cluster.sdk'" in done.stderr


def test_without_a_checkout_the_installed_tree_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "AZLAB_TREE"}
    done = subprocess.run([sys.executable, "-c", "import azlab.cluster; print(azlab.cluster.__file__)"],
                          env={**env, "PYTHONPATH": str(ROOT / "bench" / "tree")}, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).resolve() == (ROOT / "cluster" / "__init__.py").resolve()
