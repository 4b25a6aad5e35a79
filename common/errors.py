"""One error hierarchy for the control plane, each class carrying its AWS-style code.

Models raise these; the gRPC layer maps them to a status in one interceptor
(`servicers.ErrorInterceptor`), and the SDK turns them back into `ApiError`.
`status` is the name of a grpc.StatusCode so models stay free of gRPC.
"""

from __future__ import annotations


class AzlabError(Exception):
    code = "InternalFailure"
    status = "INTERNAL"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidParameterValue(AzlabError):
    code = "InvalidParameterValue"
    status = "INVALID_ARGUMENT"


class MissingParameter(AzlabError):
    code = "MissingParameter"
    status = "INVALID_ARGUMENT"


class AvailabilityZoneNotFound(AzlabError):
    code = "InvalidAvailabilityZone.NotFound"
    status = "NOT_FOUND"


class NodeNotFound(AzlabError):
    code = "InvalidNode.NotFound"
    status = "NOT_FOUND"


class IncorrectState(AzlabError):
    """The resource exists but is not in a state that allows the call."""

    code = "IncorrectState"
    status = "FAILED_PRECONDITION"


class UnsupportedOperation(AzlabError):
    """The call is valid but this region cannot do it (e.g. partition under loopback)."""

    code = "UnsupportedOperation"
    status = "FAILED_PRECONDITION"
