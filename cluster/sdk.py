"""The Python SDK: a region's typed gRPC stubs, with errors as `ApiError`.

    from azlab.cluster.sdk import Client
    region = Client()                       # AZLAB_ENDPOINT, else the region of $AZLAB_HOME
    zones = region.region.DescribeAvailabilityZones(region_pb2.DescribeAvailabilityZonesRequest())

Every stub is the generated one, on a channel whose interceptor turns a failed
call into `ApiError(code, message, status)` with the AWS-style code the server sent.
"""

from __future__ import annotations

import collections
import os

import grpc

from azlab.chaos.v1 import chaos_pb2_grpc
from azlab.cluster.config import Paths
from azlab.common.rpc import ERROR_CODE_KEY
from azlab.cluster.state import Store
from azlab.ec2.v1 import ec2_pb2_grpc
from azlab.elasticache.v1 import elasticache_pb2_grpc
from azlab.elb.v1 import elb_pb2_grpc
from azlab.rds.v1 import rds_pb2_grpc
from azlab.region.v1 import region_pb2_grpc
from azlab.route53.v1 import route53_pb2_grpc
from azlab.sqs.v1 import sqs_pb2_grpc

DEFAULT_TIMEOUT_S = 180.0  # restore-az waits for nodes to start


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: grpc.StatusCode):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> ApiError:
        metadata = dict(error.trailing_metadata() or ())
        status = error.code()
        code = metadata.get(ERROR_CODE_KEY) or {
            grpc.StatusCode.UNAVAILABLE: "ServiceUnavailable",
            grpc.StatusCode.DEADLINE_EXCEEDED: "RequestTimeout",
        }.get(status, status.name)
        return cls(code, error.details() or status.name, status)


class RegionNotFound(Exception):
    """No endpoint given and no region running under the state dir."""


def find_endpoint(paths: Paths | None = None) -> str:
    if endpoint := os.environ.get("AZLAB_ENDPOINT"):
        return endpoint
    paths = paths or Paths.from_env()
    if paths.state_db.exists():
        store = Store(paths.state_db, readonly=True)
        try:
            if endpoint := store.get("endpoint"):
                return endpoint
        finally:
            store.close()
    raise RegionNotFound(f"no region is up under {paths.home}; run `azlab up`, or set AZLAB_ENDPOINT")


class _CallDetails(
    collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    pass


class _RaiseApiError(grpc.UnaryUnaryClientInterceptor):
    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s

    def intercept_unary_unary(self, continuation, client_call_details, request):
        if client_call_details.timeout is None:
            d = client_call_details
            client_call_details = _CallDetails(
                d.method, self.timeout_s, d.metadata, d.credentials, d.wait_for_ready, d.compression
            )
        outcome = continuation(client_call_details, request)
        if isinstance(outcome, grpc.RpcError) and outcome.code() != grpc.StatusCode.OK:
            raise ApiError.from_rpc_error(outcome)
        return outcome


class Client:
    def __init__(self, endpoint: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.endpoint = endpoint or find_endpoint()
        self.channel = grpc.intercept_channel(grpc.insecure_channel(self.endpoint), _RaiseApiError(timeout_s))
        self.region = region_pb2_grpc.RegionStub(self.channel)
        self.chaos = chaos_pb2_grpc.ChaosStub(self.channel)
        self.ec2 = ec2_pb2_grpc.Ec2Stub(self.channel)
        self.elasticache = elasticache_pb2_grpc.ElastiCacheStub(self.channel)
        self.elb = elb_pb2_grpc.ElbStub(self.channel)
        self.rds = rds_pb2_grpc.RdsStub(self.channel)
        self.route53 = route53_pb2_grpc.Route53Stub(self.channel)
        self.sqs = sqs_pb2_grpc.SqsStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
