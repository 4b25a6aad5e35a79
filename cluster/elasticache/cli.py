"""`azlab elasticache <operation>`, with aws-cli's operation and option names."""

from __future__ import annotations

import argparse

from azlab.cluster.cli import rpc
from azlab.cluster.shorthand import ShorthandError, parse_flat
from azlab.elasticache.v1 import elasticache_pb2 as pb


def _flag(parser: argparse.ArgumentParser, name: str) -> None:
    """aws-cli's boolean pair: --x-enabled / --no-x-enabled."""
    parser.add_argument(f"--{name}", dest=name.replace("-", "_"), action=argparse.BooleanOptionalAction, default=False)


def add_commands(verbs) -> None:
    ops = verbs.add_parser("elasticache", help="azlab.elasticache.v1").add_subparsers(dest="op", required=True, metavar="OPERATION")

    create = ops.add_parser("create-replication-group")
    create.add_argument("--replication-group-id", required=True)
    create.add_argument("--replication-group-description", default="")
    create.add_argument("--engine", default="redis")
    create.add_argument("--cache-node-type", default="")
    create.add_argument("--num-cache-clusters", type=int, default=0)
    create.add_argument("--num-node-groups", type=int, default=0)
    create.add_argument("--replicas-per-node-group", type=int, default=0)
    _flag(create, "automatic-failover-enabled")
    _flag(create, "multi-az-enabled")
    create.add_argument("--preferred-cache-cluster-a-zs", "--preferred-cache-cluster-azs", nargs="+", default=[],
                        dest="preferred_cache_cluster_azs")
    create.add_argument("--snapshot-name", default="")
    create.add_argument("--snapshot-retention-limit", type=int, default=0)
    create.add_argument("--snapshot-window", default="")
    create.add_argument("--cache-parameter-group-name", default="")
    create.set_defaults(run=rpc("elasticache", "CreateReplicationGroup", lambda a: pb.CreateReplicationGroupRequest(
        replication_group_id=a.replication_group_id, replication_group_description=a.replication_group_description,
        engine=a.engine, cache_node_type=a.cache_node_type, num_cache_clusters=a.num_cache_clusters,
        num_node_groups=a.num_node_groups, replicas_per_node_group=a.replicas_per_node_group,
        automatic_failover_enabled=a.automatic_failover_enabled, multi_az_enabled=a.multi_az_enabled,
        preferred_cache_cluster_azs=a.preferred_cache_cluster_azs, snapshot_name=a.snapshot_name,
        snapshot_retention_limit=a.snapshot_retention_limit, snapshot_window=a.snapshot_window,
        cache_parameter_group_name=a.cache_parameter_group_name,
    )))

    describe = ops.add_parser("describe-replication-groups")
    describe.add_argument("--replication-group-id", default="")
    describe.add_argument("--max-records", type=int, default=0)
    describe.add_argument("--marker", default="")
    describe.set_defaults(run=rpc("elasticache", "DescribeReplicationGroups", lambda a: pb.DescribeReplicationGroupsRequest(
        replication_group_id=a.replication_group_id, max_records=a.max_records, marker=a.marker)))

    delete = ops.add_parser("delete-replication-group")
    delete.add_argument("--replication-group-id", required=True)
    delete.add_argument("--final-snapshot-identifier", default="")
    delete.set_defaults(run=rpc("elasticache", "DeleteReplicationGroup", lambda a: pb.DeleteReplicationGroupRequest(
        replication_group_id=a.replication_group_id, final_snapshot_identifier=a.final_snapshot_identifier)))

    failover = ops.add_parser("test-failover")
    failover.add_argument("--replication-group-id", required=True)
    failover.add_argument("--node-group-id", default="")
    failover.set_defaults(run=rpc("elasticache", "TestFailover", lambda a: pb.TestFailoverRequest(
        replication_group_id=a.replication_group_id, node_group_id=a.node_group_id)))

    cluster = ops.add_parser("create-cache-cluster")
    cluster.add_argument("--cache-cluster-id", required=True)
    cluster.add_argument("--engine", default="memcached")
    cluster.add_argument("--cache-node-type", default="")
    cluster.add_argument("--num-cache-nodes", type=int, default=1)
    cluster.add_argument("--preferred-availability-zones", nargs="+", default=[])
    cluster.add_argument("--snapshot-name", default="")
    cluster.set_defaults(run=rpc("elasticache", "CreateCacheCluster", lambda a: pb.CreateCacheClusterRequest(
        cache_cluster_id=a.cache_cluster_id, engine=a.engine, cache_node_type=a.cache_node_type,
        num_cache_nodes=a.num_cache_nodes, preferred_availability_zones=a.preferred_availability_zones,
        snapshot_name=a.snapshot_name)))

    clusters = ops.add_parser("describe-cache-clusters")
    clusters.add_argument("--cache-cluster-id", default="")
    clusters.add_argument("--show-cache-node-info", action="store_true", help="always on")
    clusters.add_argument("--max-records", type=int, default=0)
    clusters.add_argument("--marker", default="")
    clusters.set_defaults(run=rpc("elasticache", "DescribeCacheClusters", lambda a: pb.DescribeCacheClustersRequest(
        cache_cluster_id=a.cache_cluster_id, max_records=a.max_records, marker=a.marker)))

    modify = ops.add_parser("modify-cache-cluster")
    modify.add_argument("--cache-cluster-id", required=True)
    modify.add_argument("--num-cache-nodes", type=int, required=True)
    modify.add_argument("--cache-node-ids-to-remove", nargs="+", default=[])
    modify.add_argument("--new-availability-zones", nargs="+", default=[])
    modify.add_argument("--apply-immediately", action="store_true", help="always: changes apply at once")
    modify.set_defaults(run=rpc("elasticache", "ModifyCacheCluster", lambda a: pb.ModifyCacheClusterRequest(
        cache_cluster_id=a.cache_cluster_id, num_cache_nodes=a.num_cache_nodes,
        cache_node_ids_to_remove=a.cache_node_ids_to_remove, new_availability_zones=a.new_availability_zones)))

    drop = ops.add_parser("delete-cache-cluster")
    drop.add_argument("--cache-cluster-id", required=True)
    drop.set_defaults(run=rpc("elasticache", "DeleteCacheCluster", lambda a: pb.DeleteCacheClusterRequest(
        cache_cluster_id=a.cache_cluster_id)))

    snapshot = ops.add_parser("create-snapshot")
    snapshot.add_argument("--replication-group-id", default="")
    snapshot.add_argument("--cache-cluster-id", default="")
    snapshot.add_argument("--snapshot-name", required=True)
    snapshot.set_defaults(run=rpc("elasticache", "CreateSnapshot", lambda a: pb.CreateSnapshotRequest(
        replication_group_id=a.replication_group_id, cache_cluster_id=a.cache_cluster_id, snapshot_name=a.snapshot_name)))

    snapshots = ops.add_parser("describe-snapshots")
    snapshots.add_argument("--replication-group-id", default="")
    snapshots.add_argument("--snapshot-name", default="")
    snapshots.add_argument("--snapshot-source", default="", choices=("", "manual", "automated"))
    snapshots.set_defaults(run=rpc("elasticache", "DescribeSnapshots", lambda a: pb.DescribeSnapshotsRequest(
        replication_group_id=a.replication_group_id, snapshot_name=a.snapshot_name, snapshot_source=a.snapshot_source)))

    unsnapshot = ops.add_parser("delete-snapshot")
    unsnapshot.add_argument("--snapshot-name", required=True)
    unsnapshot.set_defaults(run=rpc("elasticache", "DeleteSnapshot", lambda a: pb.DeleteSnapshotRequest(snapshot_name=a.snapshot_name)))

    ops.add_parser("describe-cache-node-types").set_defaults(
        run=rpc("elasticache", "DescribeCacheNodeTypes", lambda a: pb.DescribeCacheNodeTypesRequest()))

    params = ops.add_parser("create-cache-parameter-group")
    params.add_argument("--cache-parameter-group-name", required=True)
    params.add_argument("--cache-parameter-group-family", required=True)
    params.add_argument("--description", default="")
    params.set_defaults(run=rpc("elasticache", "CreateCacheParameterGroup", lambda a: pb.CreateCacheParameterGroupRequest(
        cache_parameter_group_name=a.cache_parameter_group_name,
        cache_parameter_group_family=a.cache_parameter_group_family, description=a.description)))

    describe_params = ops.add_parser("describe-cache-parameter-groups")
    describe_params.add_argument("--cache-parameter-group-name", default="")
    describe_params.set_defaults(run=rpc("elasticache", "DescribeCacheParameterGroups", lambda a: pb.DescribeCacheParameterGroupsRequest(
        cache_parameter_group_name=a.cache_parameter_group_name)))

    values = ops.add_parser("describe-cache-parameters")
    values.add_argument("--cache-parameter-group-name", required=True)
    values.set_defaults(run=rpc("elasticache", "DescribeCacheParameters", lambda a: pb.DescribeCacheParametersRequest(
        cache_parameter_group_name=a.cache_parameter_group_name)))

    modify_params = ops.add_parser("modify-cache-parameter-group")
    modify_params.add_argument("--cache-parameter-group-name", required=True)
    modify_params.add_argument("--parameter-name-values", nargs="+", required=True, type=_name_value,
                               metavar="ParameterName=NAME,ParameterValue=VALUE")
    modify_params.set_defaults(run=rpc("elasticache", "ModifyCacheParameterGroup", lambda a: pb.ModifyCacheParameterGroupRequest(
        cache_parameter_group_name=a.cache_parameter_group_name, parameter_name_values=a.parameter_name_values)))

    delete_params = ops.add_parser("delete-cache-parameter-group")
    delete_params.add_argument("--cache-parameter-group-name", required=True)
    delete_params.set_defaults(run=rpc("elasticache", "DeleteCacheParameterGroup", lambda a: pb.DeleteCacheParameterGroupRequest(
        cache_parameter_group_name=a.cache_parameter_group_name)))


def _name_value(text: str) -> pb.ParameterNameValue:
    """aws-cli's shorthand: ParameterName=maxmemory-policy,ParameterValue=allkeys-lru."""
    keys = ("ParameterName", "ParameterValue")
    try:
        fields = parse_flat(text, keys, required=keys)
    except ShorthandError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return pb.ParameterNameValue(parameter_name=fields["ParameterName"], parameter_value=fields["ParameterValue"])
