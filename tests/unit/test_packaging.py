"""Every Python package of the source tree is in pyproject.toml's list: a lab machine installs azlab from a wheel
(deploy/lab.sh), where a package left out is a module that is not there (an editable install hides it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_directory_is_installed():
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(tool["packages"])
    found = set()
    for package, directory in tool["package-dir"].items():
        for init in (ROOT / directory).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / directory).parts
            found.add(".".join((package, *relative)))
    assert found - listed == set(), "packages missing from pyproject.toml's [tool.setuptools] packages"
