"""Calls a node agent's method from a separate Ray driver process.

    python driver.py <node_name> <method> '<json kwargs>'   (AZLAB_HOME selects the region)

Tests drive agents through this subprocess because Ray caches its auth token
per process, and one test session brings up several regions with their own.
"""

import json
import sys

from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.runtime import RayRuntime, agent_name
from azlab.cluster.state import Store


def main() -> None:
    node_name, method, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3] if len(sys.argv) > 3 else "{}")
    paths = Paths.from_env()
    store = Store(paths.state_db, readonly=True)
    runtime = RayRuntime(RegionConfig.from_dict(store.get("config")), paths, store.get("runtime")["gcs_port"])
    runtime.connect()
    import ray  # after connect(): Ray reads its auth settings on first import

    agent = ray.get_actor(agent_name(node_name), namespace=runtime.namespace)
    # Ray may print warnings to stdout too; the result is the line that says so.
    print("RESULT " + json.dumps(ray.get(getattr(agent, method).remote(**kwargs), timeout=60)))


if __name__ == "__main__":
    main()
