"""A client that commits straight to one DB node in a loop, for a given time; prints what was acknowledged.

Run inside an AZ's network namespace (where the region's controller cannot be
reached), it asks a cut-off primary for commits: `python rds_writer.py ADDRESS SECONDS`.
"""

from __future__ import annotations

import json
import sys
import time

import grpc
from azlab.rds.v1 import dbnode_pb2_grpc, rds_pb2


def main(address: str, seconds: float) -> None:
    stub = dbnode_pb2_grpc.DbNodeStub(grpc.insecure_channel(address))
    acknowledged, refused, attempts = [], {}, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        attempts += 1
        key = f"cut-off-{attempts}"
        try:
            stub.ExecuteStatement(rds_pb2.ExecuteStatementRequest(
                sql="INSERT INTO acks (k) VALUES (:k)",
                parameters=[rds_pb2.SqlParameter(name="k", value=rds_pb2.Field(string_value=key))]), timeout=1.0)
            acknowledged.append(key)
        except grpc.RpcError as e:
            refused[e.code().name] = refused.get(e.code().name, 0) + 1
            time.sleep(0.1)
    print("RESULT " + json.dumps({"acknowledged": acknowledged, "refused": refused, "attempts": attempts}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
