"""Files a node agent reads and writes for the services, confined to the node's home."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _inside(home: Path, path: Path) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(home.resolve()):
        raise PermissionError(f"{path} is outside this node's home {home}")
    return resolved


def write_atomically(home: Path, path: Path, data: bytes) -> None:
    path = _inside(home, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(scratch, path)  # readers see the old file or the new one, never half of one


def read_tail(home: Path, path: Path, max_bytes: int) -> bytes | None:
    path = _inside(home, path)
    try:
        with path.open("rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - max_bytes))
            return f.read()
    except FileNotFoundError:
        return None


def remove(home: Path, path: Path) -> None:
    path = _inside(home, path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
