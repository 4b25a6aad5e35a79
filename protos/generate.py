"""Generate the Python gRPC code for every .proto under protos/, next to its source.

The one way to make generated code: `python protos/generate.py` (or `make protos`).
`--check` regenerates into a scratch copy and fails if the tree differs, which
CI runs so that stale generated code cannot land.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc
import grpc_tools

PROTOS = Path(__file__).resolve().parent
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def generate(root: Path) -> list[Path]:
    sources = sorted(root.rglob("*.proto"))
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    for source in sources:
        args = [
            "protoc",
            f"-I{root}",
            f"-I{well_known}",
            f"--python_out={root}",
            f"--pyi_out={root}",
            f"--grpc_python_out={root}",
            str(source.relative_to(root)),
        ]
        if protoc.main(args) != 0:
            raise SystemExit(f"protoc failed on {source}")
    return sources


def generated_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py*") if p.name.endswith(GENERATED_SUFFIXES))


def check() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "protos"
        shutil.copytree(PROTOS, copy, ignore=shutil.ignore_patterns(*(f"*{s}" for s in GENERATED_SUFFIXES), "__pycache__"))
        generate(copy)
        expected = {p.relative_to(copy) for p in generated_files(copy)}
        present = {p.relative_to(PROTOS) for p in generated_files(PROTOS)}
        stale = sorted(str(p) for p in expected ^ present)
        stale += sorted(str(p) for p in expected & present if not filecmp.cmp(copy / p, PROTOS / p, shallow=False))
    if stale:
        print("generated code is stale, run `make protos`: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the generated code is stale")
    if parser.parse_args().check:
        return check()
    for source in generate(PROTOS):
        print(f"generated {source.relative_to(PROTOS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
