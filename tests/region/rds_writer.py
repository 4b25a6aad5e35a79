"""A client that commits straight to one DB node in a loop, for a given time; prints what was acknowledged.

Run inside an AZ's network namespace (where the region's controller cannot be reached), it asks a
cut-off primary for commits: `python -m tests.region.rds_writer ADDRESS SECONDS` (from the repository).
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import grpc
from azlab.rds.v1 import dbnode_pb2_grpc, rds_pb2

from tests.checker import ClientLoad, NotAcknowledged


def main(address: str, seconds: float) -> None:
    stub = dbnode_pb2_grpc.DbNodeStub(grpc.insecure_channel(address))

    def commit(n: int) -> str:
        key = f"cut-off-{n}"
        try:
            stub.ExecuteStatement(rds_pb2.ExecuteStatementRequest(
                sql="INSERT INTO acks (k) VALUES (:k)",
                parameters=[rds_pb2.SqlParameter(name="k", value=rds_pb2.Field(string_value=key))]), timeout=1.0)
        except grpc.RpcError as e:
            raise NotAcknowledged(e.code().name) from None
        return key

    load = ClientLoad(max_seconds=seconds)
    commits = load.client("cut-off", commit, pause_after_failure_s=0.1)
    with load:
        load.join(seconds + 30)
    refused = Counter(c.error.removeprefix("NotAcknowledged: ") for c in commits.failures)
    print("RESULT " + json.dumps({"acknowledged": commits.acknowledged, "refused": refused,
                                  "attempts": len(commits.calls)}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
