"""Imports `azlab.*` from the checkout named by AZLAB_TREE instead of the editable install.

`bench failover` puts this directory on PYTHONPATH, so every interpreter the bench starts (the
`azlab` CLI, the controller, Ray's workers, the node servers, all of which inherit the environment)
runs the checkout's code. The editable install maps `azlab.*` to /work/main's directories with a
finder that comes after the path finder; this one comes first and maps them as the checkout's own
pyproject.toml does (its `package-dir`), so a module the checkout lacks is missing there rather
than found in the installed tree.
"""

from __future__ import annotations

import os
import sys
import tomllib
from importlib.machinery import ModuleSpec, PathFinder
from importlib.util import spec_from_file_location
from pathlib import Path


class CheckoutFinder:
    """A meta path finder for the packages of one checkout's `package-dir`."""

    def __init__(self, tree: Path):
        setup = tomllib.loads((tree / "pyproject.toml").read_text())["tool"]["setuptools"]
        self.dirs = {name: tree / folder for name, folder in setup["package-dir"].items()}

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        if fullname in self.dirs:
            folder = self.dirs[fullname]
            return spec_from_file_location(fullname, folder / "__init__.py", submodule_search_locations=[str(folder)])
        parent = fullname.rpartition(".")[0]
        if parent.split(".")[0] != "azlab" or (parent not in self.dirs and path is None):
            return None
        spec = PathFinder.find_spec(fullname, [str(self.dirs[parent])] if parent in self.dirs else path)
        if spec is None:  # not in this checkout: never fall through to the installed tree's copy
            raise ModuleNotFoundError(f"No module named {fullname!r} in {self.dirs['azlab'].parent.parent}", name=fullname)
        return spec


if tree := os.environ.get("AZLAB_TREE"):
    sys.meta_path.insert(0, CheckoutFinder(Path(tree)))
