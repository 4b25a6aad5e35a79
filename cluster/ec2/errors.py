"""EC2's error codes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)."""

from __future__ import annotations

from azlab.common.errors import (
    AzlabError,
    IncorrectState,
    InvalidParameterValue,
    MissingParameter,
    UnsupportedOperation,
)

__all__ = ["IncorrectState", "InvalidParameterValue", "MissingParameter", "UnsupportedOperation"]


class _NotFound(AzlabError):
    status = "NOT_FOUND"


class _Conflict(AzlabError):
    status = "ALREADY_EXISTS"


class _Refused(AzlabError):
    status = "FAILED_PRECONDITION"


class InvalidAMIIDNotFound(_NotFound):
    code = "InvalidAMIID.NotFound"


class InvalidAMIIDMalformed(AzlabError):
    code = "InvalidAMIID.Malformed"
    status = "INVALID_ARGUMENT"


class InvalidAMINameDuplicate(_Conflict):
    code = "InvalidAMIName.Duplicate"


class InvalidInstanceIDNotFound(_NotFound):
    code = "InvalidInstanceID.NotFound"


class InvalidInstanceIDMalformed(AzlabError):
    code = "InvalidInstanceID.Malformed"
    status = "INVALID_ARGUMENT"


class IncorrectInstanceState(_Refused):
    code = "IncorrectInstanceState"


class InsufficientInstanceCapacity(AzlabError):
    code = "InsufficientInstanceCapacity"
    status = "RESOURCE_EXHAUSTED"


class InvalidKeyPairNotFound(_NotFound):
    code = "InvalidKeyPair.NotFound"


class InvalidKeyPairDuplicate(_Conflict):
    code = "InvalidKeyPair.Duplicate"


class InvalidKeyFormat(AzlabError):
    code = "InvalidKey.Format"
    status = "INVALID_ARGUMENT"


class InvalidGroupNotFound(_NotFound):
    code = "InvalidGroup.NotFound"


class InvalidGroupDuplicate(_Conflict):
    code = "InvalidGroup.Duplicate"


class InvalidGroupReserved(AzlabError):
    code = "InvalidGroup.Reserved"
    status = "INVALID_ARGUMENT"


class CannotDelete(_Refused):
    code = "CannotDelete"


class DependencyViolation(_Refused):
    code = "DependencyViolation"


class InvalidPermissionDuplicate(_Conflict):
    code = "InvalidPermission.Duplicate"


class InvalidPermissionNotFound(_NotFound):
    code = "InvalidPermission.NotFound"


class InvalidSubnetIDNotFound(_NotFound):
    code = "InvalidSubnetID.NotFound"


class InvalidAllocationIDNotFound(_NotFound):
    code = "InvalidAllocationID.NotFound"


class InvalidAssociationIDNotFound(_NotFound):
    code = "InvalidAssociationID.NotFound"


class ResourceAlreadyAssociated(_Refused):
    code = "Resource.AlreadyAssociated"


class AddressLimitExceeded(AzlabError):
    code = "AddressLimitExceeded"
    status = "RESOURCE_EXHAUSTED"


class SpotMaxPriceTooLow(_Refused):
    code = "SpotMaxPriceTooLow"


class InvalidReservedInstancesOfferingId(_NotFound):
    code = "InvalidReservedInstancesOfferingId"


class InvalidIPAddressInUse(_Refused):
    code = "InvalidIPAddress.InUse"


class InvalidVolumeNotFound(_NotFound):
    code = "InvalidVolume.NotFound"


class InvalidVolumeIDMalformed(AzlabError):
    code = "InvalidVolumeID.Malformed"
    status = "INVALID_ARGUMENT"


class InvalidVolumeZoneMismatch(_Refused):
    code = "InvalidVolume.ZoneMismatch"


class VolumeInUse(_Refused):
    code = "VolumeInUse"


class InvalidSnapshotNotFound(_NotFound):
    code = "InvalidSnapshot.NotFound"


class InvalidSnapshotIDMalformed(AzlabError):
    code = "InvalidSnapshotID.Malformed"
    status = "INVALID_ARGUMENT"


class OperationNotPermitted(_Refused):
    code = "OperationNotPermitted"
