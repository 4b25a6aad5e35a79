"""azlab.rds.v1.Rds: wire <-> model, no decisions. The Data API passes through to the DB nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azlab.cluster.rds.model import EVENT_TYPES, POSTGRES_PARAMETERS, DBInstance, DBSnapshot, Member
from azlab.cluster.servicers import timestamp
from azlab.rds.v1 import rds_pb2, rds_pb2_grpc

if TYPE_CHECKING:
    from azlab.cluster.rds.service import RdsService



class RdsServicer(rds_pb2_grpc.RdsServicer):
    def __init__(self, service: RdsService):
        self.service = service
        self.model = service.model

    def _instance(self, instance: DBInstance) -> rds_pb2.DBInstance:
        primary, standby = instance.primary, instance.standby
        message = rds_pb2.DBInstance(
            db_instance_identifier=instance.identifier, db_instance_class=instance.instance_class,
            engine=instance.engine, db_instance_status=instance.status, allocated_storage=instance.allocated_storage,
            availability_zone=primary.az if primary else instance.availability_zone,
            secondary_availability_zone=standby.az if standby else "", multi_az=instance.multi_az,
            endpoint=rds_pb2.Endpoint(address=primary.address, port=primary.port) if primary else None,
            read_replica_source_db_instance_identifier=instance.source,
            read_replica_db_instance_identifiers=instance.replicas,
            instance_create_time=timestamp(instance.created_at),
            pending_modified_values=rds_pb2.PendingModifiedValues(
                db_instance_class=instance.pending.get("instance_class"),
                allocated_storage=instance.pending.get("allocated_storage")),
            backup_retention_period=instance.backup_retention_period,
            epoch=self.model.desired_epoch(instance), lsn=self.model.health_of(primary).lsn,
            members=[self._member(instance, m) for m in instance.members],
            engine_version=self.model.health_of(primary).engine_version, master_username=instance.master_username,
            preferred_backup_window=instance.preferred_backup_window,
            db_parameter_groups=[rds_pb2.DBParameterGroupStatus(
                db_parameter_group_name=instance.parameter_group,
                parameter_apply_status=self.model.parameter_apply_status(instance))] if instance.parameter_group else [],
        )
        if window := self.model.restorable_window(instance):
            message.latest_restorable_time.CopyFrom(timestamp(window[1]))
        if (lag := self.service.replica_lag(instance)) is not None:
            message.replica_lag.CopyFrom(rds_pb2.ReplicaLag(seconds=lag[0], lsns=lag[1]))
        return message

    def _member(self, instance: DBInstance, member: Member) -> rds_pb2.Member:
        health = self.model.health_of(member)
        in_sync = any(f.member_id == member.member_id and f.in_sync for f in self.model.health_of(instance.primary).followers)
        return rds_pb2.Member(
            member_id=member.member_id, role=member.role, availability_zone=member.az, node_name=member.node,
            endpoint=rds_pb2.Endpoint(address=member.address, port=member.port),
            state=health.role if health.reachable else "unreachable", lsn=health.lsn, epoch=health.epoch,
            in_sync=in_sync, db_instance_class=member.instance_class,
        )

    async def CreateDBInstance(self, request, context):
        instance = self.model.create_db_instance(
            request.db_instance_identifier, request.engine, request.db_instance_class, request.allocated_storage,
            request.multi_az, request.availability_zone,
            request.backup_retention_period if request.HasField("backup_retention_period") else 1,
            request.master_username, request.master_user_password, request.preferred_backup_window,
            parameter_group=request.db_parameter_group_name)
        return rds_pb2.CreateDBInstanceResponse(db_instance=self._instance(instance))

    async def DescribeDBInstances(self, request, context):
        instances = self.model.describe(request.db_instance_identifier)
        return rds_pb2.DescribeDBInstancesResponse(db_instances=[self._instance(i) for i in instances])

    async def ModifyDBInstance(self, request, context):
        instance = self.model.modify(
            request.db_instance_identifier, request.db_instance_class, request.allocated_storage,
            request.apply_immediately,
            request.backup_retention_period if request.HasField("backup_retention_period") else None,
            request.preferred_backup_window)
        return rds_pb2.ModifyDBInstanceResponse(db_instance=self._instance(instance))

    async def DeleteDBInstance(self, request, context):
        instance = self.model.delete(request.db_instance_identifier)
        return rds_pb2.DeleteDBInstanceResponse(db_instance=self._instance(instance))

    async def RebootDBInstance(self, request, context):
        instance = self.model.reboot(request.db_instance_identifier, request.force_failover)
        return rds_pb2.RebootDBInstanceResponse(db_instance=self._instance(instance))

    async def CreateDBInstanceReadReplica(self, request, context):
        instance = self.model.create_read_replica(
            request.db_instance_identifier, request.source_db_instance_identifier, request.availability_zone,
            request.db_instance_class)
        return rds_pb2.CreateDBInstanceReadReplicaResponse(db_instance=self._instance(instance))

    async def PromoteReadReplica(self, request, context):
        instance = self.model.promote_read_replica(
            request.db_instance_identifier,
            request.backup_retention_period if request.HasField("backup_retention_period") else 1)
        return rds_pb2.PromoteReadReplicaResponse(db_instance=self._instance(instance))

    async def DescribeEvents(self, request, context):
        if request.source_identifier:
            self.model.get(request.source_identifier)
        start = request.start_time.ToNanoseconds() / 1e9 if request.HasField("start_time") else 0.0
        events = self.model.store.events(start_time=start, types=list(EVENT_TYPES), source=request.source_identifier,
                                         limit=request.max_records or 100)
        return rds_pb2.DescribeEventsResponse(events=[
            rds_pb2.Event(source_identifier=e.source, source_type="db-instance", message=e.message,
                          event_type=e.event_type, date=timestamp(e.time))
            for e in events
        ])

    # DB parameter groups
    @staticmethod
    def _group(group) -> rds_pb2.DBParameterGroup:
        return rds_pb2.DBParameterGroup(db_parameter_group_name=group.name, db_parameter_group_family=group.family,
                                        description=group.description)

    async def CreateDBParameterGroup(self, request, context):
        group = self.model.create_parameter_group(request.db_parameter_group_name, request.db_parameter_group_family,
                                                  request.description)
        return rds_pb2.CreateDBParameterGroupResponse(db_parameter_group=self._group(group))

    async def DescribeDBParameterGroups(self, request, context):
        return rds_pb2.DescribeDBParameterGroupsResponse(db_parameter_groups=[
            self._group(g) for g in self.model.describe_parameter_groups(request.db_parameter_group_name)])

    async def ModifyDBParameterGroup(self, request, context):
        group = self.model.modify_parameter_group(request.db_parameter_group_name, [
            (p.parameter_name, p.parameter_value, p.apply_method) for p in request.parameters])
        return rds_pb2.ModifyDBParameterGroupResponse(db_parameter_group_name=group.name)

    async def DescribeDBParameters(self, request, context):
        group = self.model.get_parameter_group(request.db_parameter_group_name)
        return rds_pb2.DescribeDBParametersResponse(parameters=[
            rds_pb2.Parameter(
                parameter_name=name, parameter_value=group.parameters.get(name, ""),
                apply_type="static" if pg_context == "postmaster" else "dynamic", data_type=data_type,
                allowed_values=pattern, source="user" if name in group.parameters else "engine-default",
                is_modifiable=True, description=description)
            for name, (pg_context, data_type, pattern, description) in sorted(POSTGRES_PARAMETERS.items())
            if request.source != "user" or name in group.parameters])

    async def DeleteDBParameterGroup(self, request, context):
        self.model.delete_parameter_group(request.db_parameter_group_name)
        return rds_pb2.DeleteDBParameterGroupResponse()

    # snapshots and restores
    def _snapshot(self, snapshot: DBSnapshot) -> rds_pb2.DBSnapshot:
        return rds_pb2.DBSnapshot(
            db_snapshot_identifier=snapshot.identifier, db_instance_identifier=snapshot.instance, engine=snapshot.engine,
            engine_version=snapshot.engine_version, status=snapshot.status, snapshot_type=snapshot.snapshot_type,
            snapshot_create_time=timestamp(snapshot.consistent_at or snapshot.created_at),
            allocated_storage=snapshot.allocated_storage, master_username=snapshot.master_username,
            db_instance_class=snapshot.instance_class)

    async def CreateDBSnapshot(self, request, context):
        snapshot = self.model.create_db_snapshot(request.db_instance_identifier, request.db_snapshot_identifier)
        return rds_pb2.CreateDBSnapshotResponse(db_snapshot=self._snapshot(snapshot))

    async def DescribeDBSnapshots(self, request, context):
        snapshots = self.model.describe_snapshots(request.db_instance_identifier, request.db_snapshot_identifier,
                                                  request.snapshot_type)
        return rds_pb2.DescribeDBSnapshotsResponse(db_snapshots=[self._snapshot(s) for s in snapshots])

    async def DeleteDBSnapshot(self, request, context):
        return rds_pb2.DeleteDBSnapshotResponse(
            db_snapshot=self._snapshot(self.model.delete_db_snapshot(request.db_snapshot_identifier)))

    async def RestoreDBInstanceFromDBSnapshot(self, request, context):
        instance = self.model.restore_from_snapshot(
            request.db_instance_identifier, request.db_snapshot_identifier, request.db_instance_class, request.multi_az,
            request.availability_zone)
        return rds_pb2.RestoreDBInstanceFromDBSnapshotResponse(db_instance=self._instance(instance))

    async def RestoreDBInstanceToPointInTime(self, request, context):
        instance = self.model.restore_to_point_in_time(
            request.source_db_instance_identifier, request.target_db_instance_identifier,
            request.restore_time.ToNanoseconds() / 1e9 if request.HasField("restore_time") else None,
            request.use_latest_restorable_time, request.db_instance_class, request.multi_az, request.availability_zone)
        return rds_pb2.RestoreDBInstanceToPointInTimeResponse(db_instance=self._instance(instance))

    # the Data API
    async def ExecuteStatement(self, request, context):
        return await self.service.data_api(request.db_instance_identifier, "ExecuteStatement", request,
                                           context.time_remaining(), request.transaction_id)

    async def BatchExecuteStatement(self, request, context):
        return await self.service.data_api(request.db_instance_identifier, "BatchExecuteStatement", request,
                                           context.time_remaining(), request.transaction_id)

    async def BeginTransaction(self, request, context):
        return await self.service.data_api(request.db_instance_identifier, "BeginTransaction", request,
                                           context.time_remaining())

    async def CommitTransaction(self, request, context):
        return await self.service.data_api(request.db_instance_identifier, "CommitTransaction", request,
                                           context.time_remaining(), request.transaction_id)

    async def RollbackTransaction(self, request, context):
        return await self.service.data_api(request.db_instance_identifier, "RollbackTransaction", request,
                                           context.time_remaining(), request.transaction_id)
