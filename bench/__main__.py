"""`python -m bench [SUITE ...] [-- options]`: run benchmark suites; every suite when none is named."""

from __future__ import annotations

import importlib
import sys

from bench import SUITES


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")][:1] or list(SUITES)
    options = argv[1:] if argv[:1] == names else argv
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"unknown suite {unknown[0]!r}; suites: {', '.join(SUITES)}", file=sys.stderr)
        return 2
    return max(importlib.import_module(f"bench.{name}").main(options) for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
