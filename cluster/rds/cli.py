"""`azlab rds <operation>`: aws-cli's `rds` and `rds-data` operations, with their option names."""

from __future__ import annotations

import argparse
import json

from google.protobuf.json_format import ParseDict, ParseError

from azlab.cluster.cli import _parse_time, rpc
from azlab.common.errors import InvalidParameterValue
from azlab.cluster.shorthand import ShorthandError, parse_flat
from azlab.rds.v1 import rds_pb2


def _parameters(text: str | None) -> list[rds_pb2.SqlParameter]:
    """aws-cli's JSON: [{"name": "id", "value": {"longValue": 1}}, ...]"""
    if not text:
        return []
    try:
        parameters = json.loads(text)
        if not isinstance(parameters, list):
            raise TypeError("not a JSON list")
        return [ParseDict(p, rds_pb2.SqlParameter()) for p in parameters]
    except (ValueError, TypeError, ParseError) as e:
        reason = " ".join(str(e).split())  # one line, as every error of the CLI
        raise InvalidParameterValue(
            f'invalid --parameters: {reason}; expected [{{"name": "x", "value": {{"longValue": 1}}}}]') from None


def _parameter_sets(text: str | None) -> list[rds_pb2.SqlParameterSet]:
    if not text:
        return []
    try:
        sets = json.loads(text)
    except ValueError as e:
        raise InvalidParameterValue(f"invalid --parameter-sets: {e}") from None
    if not isinstance(sets, list):
        raise InvalidParameterValue("--parameter-sets is a JSON list of parameter lists")
    return [rds_pb2.SqlParameterSet(parameters=_parameters(json.dumps(s))) for s in sets]


def _group_parameters(items: list[str]) -> list[rds_pb2.Parameter]:
    """aws-cli's shorthand: ParameterName=work_mem,ParameterValue=8MB,ApplyMethod=immediate (one per item)."""
    keys = ("ParameterName", "ParameterValue", "ApplyMethod")
    parameters = []
    for item in items:
        try:
            fields = parse_flat(item, keys, required=keys[:2])
        except ShorthandError as e:
            raise InvalidParameterValue(f"invalid --parameters item: {e}") from None
        parameters.append(rds_pb2.Parameter(parameter_name=fields["ParameterName"], parameter_value=fields["ParameterValue"],
                                            apply_method=fields.get("ApplyMethod", "pending-reboot")))
    return parameters


def _flag(parser: argparse.ArgumentParser, name: str) -> None:
    """aws-cli's boolean pair: --multi-az / --no-multi-az."""
    parser.add_argument(f"--{name}", action=argparse.BooleanOptionalAction, default=False)


def add_commands(verbs) -> None:
    rds = verbs.add_parser("rds", help="azlab.rds.v1 (RDS and the Data API)").add_subparsers(
        dest="op", required=True, metavar="OPERATION")

    def command(op: str, method: str, request, *, identifier: bool = True):
        sub = rds.add_parser(op)
        if identifier:
            sub.add_argument("--db-instance-identifier", default="")
        sub.set_defaults(run=rpc("rds", method, request))
        return sub

    create = command("create-db-instance", "CreateDBInstance", lambda a: rds_pb2.CreateDBInstanceRequest(
        db_instance_identifier=a.db_instance_identifier, engine=a.engine, db_instance_class=a.db_instance_class,
        allocated_storage=a.allocated_storage, multi_az=a.multi_az, availability_zone=a.availability_zone,
        backup_retention_period=a.backup_retention_period, master_username=a.master_username,
        master_user_password=a.master_user_password, preferred_backup_window=a.preferred_backup_window,
        db_parameter_group_name=a.db_parameter_group_name))
    create.add_argument("--engine", default="")
    create.add_argument("--preferred-backup-window", default="", help="hh24:mi-hh24:mi UTC")
    create.add_argument("--db-parameter-group-name", default="")
    create.add_argument("--master-username", default="")
    create.add_argument("--master-user-password", default="")
    create.add_argument("--db-instance-class", default="")
    create.add_argument("--allocated-storage", type=int, default=20)
    _flag(create, "multi-az")
    create.add_argument("--availability-zone", default="")
    create.add_argument("--backup-retention-period", type=int)

    command("describe-db-instances", "DescribeDBInstances", lambda a: rds_pb2.DescribeDBInstancesRequest(
        db_instance_identifier=a.db_instance_identifier))

    modify = command("modify-db-instance", "ModifyDBInstance", lambda a: rds_pb2.ModifyDBInstanceRequest(
        db_instance_identifier=a.db_instance_identifier, db_instance_class=a.db_instance_class,
        allocated_storage=a.allocated_storage, apply_immediately=a.apply_immediately,
        backup_retention_period=a.backup_retention_period, preferred_backup_window=a.preferred_backup_window))
    modify.add_argument("--db-instance-class", default="")
    modify.add_argument("--preferred-backup-window", default="")
    modify.add_argument("--allocated-storage", type=int, default=0)
    _flag(modify, "apply-immediately")
    modify.add_argument("--backup-retention-period", type=int)

    delete = command("delete-db-instance", "DeleteDBInstance", lambda a: rds_pb2.DeleteDBInstanceRequest(
        db_instance_identifier=a.db_instance_identifier, skip_final_snapshot=a.skip_final_snapshot))
    _flag(delete, "skip-final-snapshot")

    reboot = command("reboot-db-instance", "RebootDBInstance", lambda a: rds_pb2.RebootDBInstanceRequest(
        db_instance_identifier=a.db_instance_identifier, force_failover=a.force_failover))
    _flag(reboot, "force-failover")

    replica = command("create-db-instance-read-replica", "CreateDBInstanceReadReplica",
                      lambda a: rds_pb2.CreateDBInstanceReadReplicaRequest(
                          db_instance_identifier=a.db_instance_identifier,
                          source_db_instance_identifier=a.source_db_instance_identifier,
                          availability_zone=a.availability_zone, db_instance_class=a.db_instance_class))
    replica.add_argument("--source-db-instance-identifier", default="")
    replica.add_argument("--availability-zone", default="")
    replica.add_argument("--db-instance-class", default="")

    promote = command("promote-read-replica", "PromoteReadReplica", lambda a: rds_pb2.PromoteReadReplicaRequest(
        db_instance_identifier=a.db_instance_identifier, backup_retention_period=a.backup_retention_period))
    promote.add_argument("--backup-retention-period", type=int)

    group = command("create-db-parameter-group", "CreateDBParameterGroup",
                    lambda a: rds_pb2.CreateDBParameterGroupRequest(
                        db_parameter_group_name=a.db_parameter_group_name,
                        db_parameter_group_family=a.db_parameter_group_family, description=a.description),
                    identifier=False)
    group.add_argument("--db-parameter-group-name", default="")
    group.add_argument("--db-parameter-group-family", default="")
    group.add_argument("--description", default="")
    command("describe-db-parameter-groups", "DescribeDBParameterGroups", lambda a: rds_pb2.DescribeDBParameterGroupsRequest(
        db_parameter_group_name=a.db_parameter_group_name), identifier=False).add_argument(
        "--db-parameter-group-name", default="")
    modify_group = command("modify-db-parameter-group", "ModifyDBParameterGroup",
                           lambda a: rds_pb2.ModifyDBParameterGroupRequest(
                               db_parameter_group_name=a.db_parameter_group_name,
                               parameters=_group_parameters(a.parameters)), identifier=False)
    modify_group.add_argument("--db-parameter-group-name", default="")
    modify_group.add_argument("--parameters", nargs="+", default=[],
                              help="ParameterName=work_mem,ParameterValue=8MB,ApplyMethod=immediate ...")
    parameters = command("describe-db-parameters", "DescribeDBParameters", lambda a: rds_pb2.DescribeDBParametersRequest(
        db_parameter_group_name=a.db_parameter_group_name, source=a.source), identifier=False)
    parameters.add_argument("--db-parameter-group-name", default="")
    parameters.add_argument("--source", default="")
    command("delete-db-parameter-group", "DeleteDBParameterGroup", lambda a: rds_pb2.DeleteDBParameterGroupRequest(
        db_parameter_group_name=a.db_parameter_group_name), identifier=False).add_argument(
        "--db-parameter-group-name", default="")

    snapshot = command("create-db-snapshot", "CreateDBSnapshot", lambda a: rds_pb2.CreateDBSnapshotRequest(
        db_instance_identifier=a.db_instance_identifier, db_snapshot_identifier=a.db_snapshot_identifier))
    snapshot.add_argument("--db-snapshot-identifier", default="")
    snapshots = command("describe-db-snapshots", "DescribeDBSnapshots", lambda a: rds_pb2.DescribeDBSnapshotsRequest(
        db_instance_identifier=a.db_instance_identifier, db_snapshot_identifier=a.db_snapshot_identifier,
        snapshot_type=a.snapshot_type))
    snapshots.add_argument("--db-snapshot-identifier", default="")
    snapshots.add_argument("--snapshot-type", default="", help="manual | automated")
    command("delete-db-snapshot", "DeleteDBSnapshot", lambda a: rds_pb2.DeleteDBSnapshotRequest(
        db_snapshot_identifier=a.db_snapshot_identifier), identifier=False).add_argument(
        "--db-snapshot-identifier", default="")
    restore = command("restore-db-instance-from-db-snapshot", "RestoreDBInstanceFromDBSnapshot",
                      lambda a: rds_pb2.RestoreDBInstanceFromDBSnapshotRequest(
                          db_instance_identifier=a.db_instance_identifier, db_snapshot_identifier=a.db_snapshot_identifier,
                          db_instance_class=a.db_instance_class, multi_az=a.multi_az,
                          availability_zone=a.availability_zone))
    restore.add_argument("--db-snapshot-identifier", default="")

    def pitr_request(a: argparse.Namespace) -> rds_pb2.RestoreDBInstanceToPointInTimeRequest:
        request = rds_pb2.RestoreDBInstanceToPointInTimeRequest(
            source_db_instance_identifier=a.source_db_instance_identifier,
            target_db_instance_identifier=a.target_db_instance_identifier,
            use_latest_restorable_time=a.use_latest_restorable_time, db_instance_class=a.db_instance_class,
            multi_az=a.multi_az, availability_zone=a.availability_zone)
        if a.restore_time:
            request.restore_time.FromDatetime(_parse_time(a.restore_time))
        return request

    pitr = command("restore-db-instance-to-point-in-time", "RestoreDBInstanceToPointInTime", pitr_request,
                   identifier=False)
    pitr.add_argument("--source-db-instance-identifier", default="")
    pitr.add_argument("--target-db-instance-identifier", default="")
    pitr.add_argument("--restore-time", help="ISO 8601, e.g. 2026-11-27T08:15:00Z")
    _flag(pitr, "use-latest-restorable-time")
    for sub in (restore, pitr):
        sub.add_argument("--db-instance-class", default="")
        _flag(sub, "multi-az")
        sub.add_argument("--availability-zone", default="")

    def events_request(a: argparse.Namespace) -> rds_pb2.DescribeEventsRequest:
        request = rds_pb2.DescribeEventsRequest(source_identifier=a.source_identifier, max_records=a.max_records)
        if a.start_time:
            request.start_time.FromDatetime(_parse_time(a.start_time))
        return request

    events = command("describe-events", "DescribeEvents", events_request, identifier=False)
    events.add_argument("--source-identifier", default="")
    events.add_argument("--start-time", help="ISO 8601")
    events.add_argument("--max-records", type=int, default=0)

    # rds-data
    execute = command("execute-statement", "ExecuteStatement", lambda a: rds_pb2.ExecuteStatementRequest(
        db_instance_identifier=a.db_instance_identifier, sql=a.sql, parameters=_parameters(a.parameters),
        transaction_id=a.transaction_id, include_result_metadata=a.include_result_metadata))
    execute.add_argument("--sql", default="")
    execute.add_argument("--parameters", help='JSON: [{"name": "id", "value": {"longValue": 1}}]')
    execute.add_argument("--transaction-id", default="")
    _flag(execute, "include-result-metadata")

    batch = command("batch-execute-statement", "BatchExecuteStatement", lambda a: rds_pb2.BatchExecuteStatementRequest(
        db_instance_identifier=a.db_instance_identifier, sql=a.sql, parameter_sets=_parameter_sets(a.parameter_sets),
        transaction_id=a.transaction_id))
    batch.add_argument("--sql", default="")
    batch.add_argument("--parameter-sets", help="JSON: a list of --parameters lists")
    batch.add_argument("--transaction-id", default="")

    command("begin-transaction", "BeginTransaction", lambda a: rds_pb2.BeginTransactionRequest(
        db_instance_identifier=a.db_instance_identifier))
    for op, method, request in (("commit-transaction", "CommitTransaction", rds_pb2.CommitTransactionRequest),
                                ("rollback-transaction", "RollbackTransaction", rds_pb2.RollbackTransactionRequest)):
        sub = command(op, method, lambda a, request=request: request(
            db_instance_identifier=a.db_instance_identifier, transaction_id=a.transaction_id))
        sub.add_argument("--transaction-id", default="")
