"""`python -m bench region [--runs N] [--isolation loopback|netns]`: azlab beside plain Ray, medians of N runs.

Each run measures both sides one after the other (alternating which goes
first, so neither always meets a warm or a cold machine) and kills a
different AZ. Writes bench/results/region-<UTC>.json (every figure of every
run) and .md (the table printed at the end).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from azlab.cluster.config import ISOLATIONS, RegionConfig
from bench import results_stem
from bench.measure import DETECT_BOUND_S, Run, azlab_run, ray_run

GIB = 1024**3
# (run key, label, unit scale, unit, target); every figure: lower is better
ROWS = (
    ("up_s", "up to healthy", 1, "s", 15.0),
    ("detect_s", "AZ-death detection", 1, "s", 2.0),
    ("detect_from_call_s", "AZ-death detection, from the KillAz call", 1, "s", None),
    ("rss_bytes", "idle RSS, sum", GIB, "GiB", 1.5),
    ("pss_bytes", "idle PSS, sum (shared pages split)", GIB, "GiB", None),
    ("processes", "idle processes", 1, "", None),
    ("untagged", "of which untagged (found as descendants)", 1, "", None),
    ("az_survivors", "AZ processes alive at detection", 1, "", None),
    ("left_by_down", "processes left by lab.down", 1, "", None),
    ("restore_s", "RestoreAz", 1, "s", None),
)


def median(values: list[float | None]) -> float | None:
    """Median where None (over the bound) ranks above every number; None if the median is over it."""
    ranked = sorted(values, key=lambda v: (v is None, v or 0.0))
    if not ranked:
        return None
    middle = ranked[(len(ranked) - 1) // 2 : len(ranked) // 2 + 1]
    return None if None in middle else statistics.fmean(middle)  # type: ignore[arg-type]


def cell(runs: list[Run], key: str, scale: float, unit: str) -> str:
    values = [run[key] for run in runs if key in run]
    if not values:
        return "-"
    value = median(values)
    if value is None:
        return f">{DETECT_BOUND_S:.0f} {unit}"
    return f"{value / scale:.2f} {unit}" if unit else f"{value:.0f}"


def table(azlab: list[Run], ray: list[Run]) -> str:
    lines = ["| figure (median) | azlab | plain Ray | target |", "|---|---|---|---|"]
    for key, label, scale, unit, target in ROWS:
        goal = f"< {target:g} {unit}" if target is not None else ""
        lines.append(f"| {label} | {cell(azlab, key, scale, unit)} | {cell(ray, key, scale, unit)} | {goal} |")
    return "\n".join(lines)


def git_revision() -> str:
    done = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                          cwd=Path(__file__).parent)
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench region", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per side (default 3)")
    parser.add_argument("--isolation", choices=ISOLATIONS, default="loopback", help="netns needs root")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    azs = RegionConfig().azs
    azlab: list[Run] = []
    ray: list[Run] = []
    started = datetime.now(timezone.utc)
    for i in range(args.runs):
        az = azs[i % len(azs)]
        sides = [("azlab", azlab_run, azlab), ("ray", ray_run, ray)]
        for name, run, into in sides if i % 2 == 0 else sides[::-1]:
            print(f"run {i + 1}/{args.runs}: {name}, killing {az} ...", file=sys.stderr, flush=True)
            into.append({"az": az, **run(args.isolation, az)})

    text = table(azlab, ray)
    meta = (f"{args.runs} run(s), isolation {args.isolation}, 3 AZs x 1 node, {started:%Y-%m-%d %H:%M} UTC, "
            f"azlab {git_revision()}, Python {platform.python_version()}, {platform.node()}")
    stem = results_stem("region", started)
    record: dict[str, Any] = {
        "started_at": started.isoformat(), "runs": args.runs, "isolation": args.isolation,
        "revision": git_revision(), "detect_bound_s": DETECT_BOUND_S,
        "medians": {side: {key: median([r[key] for r in runs if key in r]) for key, *_ in ROWS}
                    for side, runs in (("azlab", azlab), ("ray", ray))},
        "azlab": azlab, "ray": ray,
    }
    stem.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    stem.with_suffix(".md").write_text(f"# azlab bench\n\n{meta}\n\n{text}\n")
    print(f"{meta}\n\n{text}\n\nwritten to {stem}.json and .md")
    return 0
