"""azlab benchmarks: a region beside a plain Ray cluster of the same shape, in one run.

`python -m bench` (or `make bench`) measures, as the median of `--runs` runs:

| figure | azlab | plain Ray peer | target |
|---|---|---|---|
| up to healthy | `lab.up` until it returns (every node heartbeats) | the same `ray start` commands until `ray.nodes()` shows all alive | < 15 s |
| AZ-death detection | NodeDown event time minus the KillAz fault's `started_at` | time until the GCS reports the killed raylet dead (bounded) | < 2 s |
| idle memory | RSS sum of the region's tagged processes after an idle wait | RSS sum of the peer's tagged processes | < 1.5 GiB |

Only `bench/probe.py` imports Ray, and only in a subprocess: the bench process
itself never holds a Ray connection. Results go to `bench/results/<UTC>.json`
and `.md`. Figures are reported, never asserted. One region or cluster runs at
a time; on a shared machine run the bench under `flock /tmp/azlab-machine.lock`.
"""
