"""azlab benchmarks: each figure side by side with a peer measured in the same run.

`python -m bench <suite> [options]` (or `make bench`, which runs every suite);
each suite is a module `bench/<suite>.py` with `main(argv)`, and writes
`bench/results/<suite>-<UTC>.json` (every figure of every run) and `.md` (the
table). Figures are reported, never asserted. One region or cluster runs at a
time; on a shared machine run the bench under `flock /tmp/azlab-machine.lock`.

`region`: a region beside a plain Ray cluster of the same shape, as the median
of `--runs` runs:

| figure | azlab | plain Ray peer | target |
|---|---|---|---|
| up to healthy | `lab.up` until it returns (every node heartbeats) | the same `ray start` commands until `ray.nodes()` shows all alive | < 15 s |
| AZ-death detection | NodeDown event time minus the KillAz fault's `started_at` | time until the GCS reports the killed raylet dead (bounded) | < 2 s |
| idle memory | RSS sum of the region's tagged processes after an idle wait | RSS sum of the peer's tagged processes | < 1.5 GiB |

`failover`: every service's failover (and SQS's boto3 throughput) on two git revisions, before and after,
in one run (bench/failover.py says how each side runs its own checkout's code).

Only `bench/probe.py` imports Ray, and only in a subprocess: the bench process
itself never holds a Ray connection.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SUITES = ("region", "ec2", "elasticache", "elb", "rds", "route53", "sqs", "failover")


def results_stem(suite: str, started: datetime) -> Path:
    """Where a suite's run writes: add `.json` and `.md`."""
    RESULTS.mkdir(exist_ok=True)
    return RESULTS / f"{suite}-{started:%Y%m%dT%H%M%SZ}"
