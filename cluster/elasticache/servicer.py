"""azlab.elasticache.v1 over gRPC: wire <-> model, no decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azlab.cluster.elasticache.model import (
    FAMILY_PARAMETERS,
    NODE_TYPES,
    PRIMARY,
    CacheCluster,
    Member,
    ParameterGroup,
    ReplicationGroup,
    Snapshot,
    cache_node_id,
    page,
)
from azlab.cluster.servicers import timestamp
from azlab.elasticache.v1 import elasticache_pb2 as pb
from azlab.elasticache.v1 import elasticache_pb2_grpc

if TYPE_CHECKING:
    from azlab.cluster.elasticache.service import ElastiCache


class ElastiCacheServicer(elasticache_pb2_grpc.ElastiCacheServicer):
    def __init__(self, service: ElastiCache):
        self.service = service
        self.model = service.model

    # replication groups
    async def CreateReplicationGroup(self, request, context):
        self.service.check_engines()
        async with self.service.lock:
            group = self.model.create_replication_group(
                request.replication_group_id, request.replication_group_description, request.engine or "redis",
                request.cache_node_type, request.num_cache_clusters, request.num_node_groups,
                request.replicas_per_node_group, request.automatic_failover_enabled, request.multi_az_enabled,
                list(request.preferred_cache_cluster_azs), request.snapshot_name, request.snapshot_retention_limit,
                request.snapshot_window, request.cache_parameter_group_name,
            )
        return pb.CreateReplicationGroupResponse(replication_group=self._group(group))

    async def DescribeReplicationGroups(self, request, context):
        if request.replication_group_id:
            return pb.DescribeReplicationGroupsResponse(
                replication_groups=[self._group(self.model.group(request.replication_group_id))])
        ids, marker = page(list(self.model.groups), request.max_records, request.marker)
        return pb.DescribeReplicationGroupsResponse(
            replication_groups=[self._group(self.model.groups[i]) for i in ids], marker=marker)

    async def DeleteReplicationGroup(self, request, context):
        if request.final_snapshot_identifier:
            group = self.model.group(request.replication_group_id)
            await self.service.create_snapshot(group.replication_group_id, "", request.final_snapshot_identifier)
        async with self.service.lock:
            group = self.model.delete_replication_group(request.replication_group_id)
        return pb.DeleteReplicationGroupResponse(replication_group=self._group(group))

    async def TestFailover(self, request, context):
        group = await self.service.test_failover(request.replication_group_id, request.node_group_id)
        return pb.TestFailoverResponse(replication_group=self._group(group))

    def _group(self, group: ReplicationGroup) -> pb.ReplicationGroup:
        node_groups = []
        for shard in group.node_groups:
            primary = group.primary(shard.node_group_id)
            reader = self.model.reader(group, shard.node_group_id) or primary
            node_groups.append(pb.NodeGroup(
                node_group_id=shard.node_group_id, status=group.status,
                primary_endpoint=_endpoint(primary), reader_endpoint=_endpoint(reader),
                slots=f"{shard.slots[0]}-{shard.slots[1]}" if shard.slots else "",
                node_group_members=[self._node(m, m.member_id) for m in group.members_of(shard.node_group_id)],
                failover_epoch=shard.epoch,
            ))
        configuration = None
        if group.cluster_enabled:
            live = [m for m in group.members if m.role == PRIMARY and self.model.node_alive(m)] or group.members
            configuration = _endpoint(live[0])
        return pb.ReplicationGroup(
            replication_group_id=group.replication_group_id, description=group.description, status=group.status,
            engine="redis", cache_node_type=group.node_type, cluster_enabled=group.cluster_enabled,
            automatic_failover="enabled" if group.automatic_failover else "disabled",
            multi_az="enabled" if group.multi_az else "disabled", node_groups=node_groups,
            configuration_endpoint=configuration, create_time=timestamp(group.created_at),
            snapshot_retention_limit=group.snapshot_retention_limit, snapshot_window=group.snapshot_window,
            cache_parameter_group_name=group.parameter_group,
        )

    def _node(self, member: Member, node_id: str) -> pb.CacheNode:
        if not self.model.node_alive(member):
            status = "unavailable"
        elif member.member_id in self.service.in_sync or (not member.role and member.member_id in self.service.running):
            status = "available"  # a Redis node once it plays its role in sync; a Memcached node once it runs
        else:
            status = "creating"
        return pb.CacheNode(
            cache_node_id=node_id, cache_node_status=status, availability_zone=member.az,
            endpoint=_endpoint(member), current_role=member.role, create_time=timestamp(member.created_at),
        )

    # Memcached clusters
    async def CreateCacheCluster(self, request, context):
        self.service.check_engines()
        async with self.service.lock:
            cluster = self.model.create_cache_cluster(
                request.cache_cluster_id, request.engine or "memcached", request.cache_node_type,
                request.num_cache_nodes, list(request.preferred_availability_zones), request.snapshot_name,
            )
        return pb.CreateCacheClusterResponse(cache_cluster=self._cluster(cluster))

    async def DescribeCacheClusters(self, request, context):
        if request.cache_cluster_id:
            return pb.DescribeCacheClustersResponse(cache_clusters=[self._cluster(self.model.cluster(request.cache_cluster_id))])
        ids, marker = page(list(self.model.clusters), request.max_records, request.marker)
        return pb.DescribeCacheClustersResponse(cache_clusters=[self._cluster(self.model.clusters[i]) for i in ids], marker=marker)

    async def ModifyCacheCluster(self, request, context):
        async with self.service.lock:
            cluster = self.model.modify_cache_cluster(
                request.cache_cluster_id, request.num_cache_nodes, list(request.cache_node_ids_to_remove),
                list(request.new_availability_zones),
            )
        return pb.ModifyCacheClusterResponse(cache_cluster=self._cluster(cluster))

    async def DeleteCacheCluster(self, request, context):
        async with self.service.lock:
            cluster = self.model.delete_cache_cluster(request.cache_cluster_id)
        return pb.DeleteCacheClusterResponse(cache_cluster=self._cluster(cluster))

    def _cluster(self, cluster: CacheCluster) -> pb.CacheCluster:
        return pb.CacheCluster(
            cache_cluster_id=cluster.cache_cluster_id, cache_cluster_status=cluster.status, engine="memcached",
            cache_node_type=cluster.node_type, num_cache_nodes=len(cluster.members),
            configuration_endpoint=pb.Endpoint(address=self.model.region.network.region_address(), port=cluster.config_port),
            cache_nodes=[self._node(m, cache_node_id(m)) for m in cluster.members],
            create_time=timestamp(cluster.created_at),
        )

    # snapshots
    async def CreateSnapshot(self, request, context):
        snapshot = await self.service.create_snapshot(request.replication_group_id, request.cache_cluster_id, request.snapshot_name)
        return pb.CreateSnapshotResponse(snapshot=_snapshot(snapshot))

    async def DescribeSnapshots(self, request, context):
        if request.snapshot_name:
            snapshots = [self.model.snapshot(request.snapshot_name)]
        else:
            snapshots = [s for s in self.model.snapshots.values()
                         if request.replication_group_id in ("", s.replication_group_id)
                         and request.snapshot_source in ("", s.source)]
        return pb.DescribeSnapshotsResponse(snapshots=[_snapshot(s) for s in sorted(snapshots, key=lambda s: s.created_at)])

    async def DeleteSnapshot(self, request, context):
        return pb.DeleteSnapshotResponse(snapshot=_snapshot(await self.service.delete_snapshot(request.snapshot_name)))

    async def DescribeCacheNodeTypes(self, request, context):
        return pb.DescribeCacheNodeTypesResponse(cache_node_types=[
            pb.CacheNodeType(cache_node_type=t.name, memory_gib=t.memory_gib, vcpus=t.vcpus, maxmemory_bytes=t.maxmemory_bytes())
            for t in NODE_TYPES.values()
        ])

    # parameter groups
    async def CreateCacheParameterGroup(self, request, context):
        group = self.model.create_parameter_group(
            request.cache_parameter_group_name, request.cache_parameter_group_family, request.description)
        return pb.CreateCacheParameterGroupResponse(cache_parameter_group=_parameter_group(group))

    async def DescribeCacheParameterGroups(self, request, context):
        if request.cache_parameter_group_name:
            groups = [self.model.parameter_group(request.cache_parameter_group_name)]
        else:
            groups = sorted(self.model.parameter_groups.values(), key=lambda g: g.name)
        return pb.DescribeCacheParameterGroupsResponse(cache_parameter_groups=[_parameter_group(g) for g in groups])

    async def DescribeCacheParameters(self, request, context):
        group = self.model.parameter_group(request.cache_parameter_group_name)
        values = group.effective()
        return pb.DescribeCacheParametersResponse(parameters=[
            pb.Parameter(parameter_name=spec.name, parameter_value=values[spec.name], description=spec.description,
                         data_type=spec.data_type, allowed_values=spec.allowed_values, is_modifiable=not group.is_default)
            for spec in FAMILY_PARAMETERS[group.family].values()
        ])

    async def ModifyCacheParameterGroup(self, request, context):
        changes = {p.parameter_name: p.parameter_value for p in request.parameter_name_values}
        await self.service.modify_parameter_group(request.cache_parameter_group_name, changes)
        return pb.ModifyCacheParameterGroupResponse(cache_parameter_group_name=request.cache_parameter_group_name)

    async def DeleteCacheParameterGroup(self, request, context):
        self.model.delete_parameter_group(request.cache_parameter_group_name)
        return pb.DeleteCacheParameterGroupResponse()


def _endpoint(member: Member) -> pb.Endpoint:
    return pb.Endpoint(address=member.address, port=member.port)


def _parameter_group(group: ParameterGroup) -> pb.CacheParameterGroup:
    return pb.CacheParameterGroup(cache_parameter_group_name=group.name, cache_parameter_group_family=group.family,
                                  description=group.description, is_global=group.is_default)


def _snapshot(snapshot: Snapshot) -> pb.Snapshot:
    return pb.Snapshot(
        snapshot_name=snapshot.snapshot_name, replication_group_id=snapshot.replication_group_id,
        snapshot_status="available", snapshot_source=snapshot.source, cache_node_type=snapshot.node_type,
        num_node_groups=len(snapshot.shards), size_bytes=snapshot.size_bytes, create_time=timestamp(snapshot.created_at),
    )
