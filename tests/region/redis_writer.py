"""A client that writes straight to one Redis engine in a loop, for a given time; prints what was acknowledged.

Run inside an AZ's network namespace (where the region's controller and the other AZs cannot be reached), it
asks a cut-off primary to take writes: `python -m tests.region.redis_writer HOST:PORT SECONDS` (from the
repository). A write is acknowledged when SET answered OK, as an application counts it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import redis

from tests.checker import ClientLoad, NotAcknowledged


def main(address: str, seconds: float) -> None:
    host, port = address.rsplit(":", 1)
    engine = redis.Redis(host=host, port=int(port), socket_timeout=1.0, socket_connect_timeout=1.0)

    def write(n: int) -> str:
        key = f"cut-off:{n}"
        try:
            engine.set(key, n)
        except redis.RedisError as e:  # NOREPLICAS once its write lease ran out; a timeout if it hangs
            raise NotAcknowledged(str(e).split(" ")[0] or type(e).__name__) from None
        return key

    load = ClientLoad(max_seconds=seconds)
    writes = load.client("cut-off", write, pause_s=0.01, pause_after_failure_s=0.05)
    with load:
        load.join(seconds + 30)
    refused = Counter(c.error.removeprefix("NotAcknowledged: ") for c in writes.failures)
    print("RESULT " + json.dumps({"acknowledged": [[c.keys[0], c.done] for c in writes.calls if c.ok],
                                  "refused": refused, "last_sent": max((c.sent for c in writes.calls), default=0)}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
