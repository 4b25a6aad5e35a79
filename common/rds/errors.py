"""RDS's errors, each carrying the code AWS's RDS (or rds-data) answers with.

Shared by the controller (model, service) and the DB nodes, whose errors reach
the user through the controller unchanged (`RemoteError`).
"""

from __future__ import annotations

from azlab.common.errors import AzlabError


class DBInstanceNotFound(AzlabError):
    code = "DBInstanceNotFound"
    status = "NOT_FOUND"


class DBInstanceAlreadyExists(AzlabError):
    code = "DBInstanceAlreadyExists"
    status = "ALREADY_EXISTS"


class InvalidDBInstanceState(AzlabError):
    code = "InvalidDBInstanceState"
    status = "FAILED_PRECONDITION"


class InvalidParameterCombination(AzlabError):
    code = "InvalidParameterCombination"
    status = "INVALID_ARGUMENT"


class ReadReplicaLimitExceeded(AzlabError):
    """A sixth read replica. RDS documents no code of its own for it; ours names the limit."""

    code = "ReadReplicaLimitExceeded"
    status = "RESOURCE_EXHAUSTED"


class InsufficientDBInstanceCapacity(AzlabError):
    """No live AZ can hold the member the call needs."""

    code = "InsufficientDBInstanceCapacity"
    status = "UNAVAILABLE"


class SqlError(AzlabError):
    """The engine refused the statement; the message is the engine's. rds-data's code."""

    code = "BadRequestException"
    status = "INVALID_ARGUMENT"


class TransactionNotFound(AzlabError):
    code = "NotFoundException"
    status = "NOT_FOUND"


class DatabaseUnavailable(AzlabError):
    """The engine cannot take the call now: failing over, fenced, not yet started. Retry."""

    code = "DatabaseUnavailableException"
    status = "UNAVAILABLE"


class CommitOutcomeUnknown(AzlabError):
    """The instance was reconfigured while a commit waited for its standby: it may or may not survive."""

    code = "CommitOutcomeUnknown"
    status = "ABORTED"


class RemoteError(AzlabError):
    """An error a DB node answered, passed on with its own code and status."""

    def __init__(self, code: str, status: str, message: str):
        super().__init__(message)
        self.code = code
        self.status = status


class DBSnapshotNotFound(AzlabError):
    code = "DBSnapshotNotFound"
    status = "NOT_FOUND"


class DBSnapshotAlreadyExists(AzlabError):
    code = "DBSnapshotAlreadyExists"
    status = "ALREADY_EXISTS"


class InvalidDBSnapshotState(AzlabError):
    code = "InvalidDBSnapshotState"
    status = "FAILED_PRECONDITION"


class InvalidRestore(AzlabError):
    """A restore time outside what the backups and the log can give."""

    code = "InvalidRestoreFault"
    status = "INVALID_ARGUMENT"


class PointInTimeRestoreNotEnabled(AzlabError):
    code = "PointInTimeRestoreNotEnabled"
    status = "FAILED_PRECONDITION"


class DBParameterGroupNotFound(AzlabError):
    code = "DBParameterGroupNotFound"
    status = "NOT_FOUND"


class DBParameterGroupAlreadyExists(AzlabError):
    code = "DBParameterGroupAlreadyExists"
    status = "ALREADY_EXISTS"


class InvalidDBParameterGroupState(AzlabError):
    code = "InvalidDBParameterGroupState"
    status = "FAILED_PRECONDITION"
