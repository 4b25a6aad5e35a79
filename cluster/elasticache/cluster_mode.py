"""Cluster mode: joining engines into one Redis Cluster, by its own commands.

Done step by step, each step repeated until it holds (so the reconcile tick
drives it): a new engine MEETs a member already in the cluster; a primary
takes its node group's hash slots; a replica REPLICATEs its primary once
gossip has told it of that primary; a lost member is FORGOTten by the rest.
A primary a failover named TAKEs OVER when its sidecar is told its role under
the new epoch (azlab.nodes.elasticache.sidecar), as without cluster mode.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from azlab.cluster.elasticache import engines
from azlab.cluster.elasticache.engines import Replication
from azlab.cluster.elasticache.model import PRIMARY, REPLICA, ReplicationGroup

if TYPE_CHECKING:
    from azlab.cluster.elasticache.service import ElastiCache

log = logging.getLogger(__name__)


async def ensure_cluster(service: ElastiCache, group: ReplicationGroup, observed: dict[str, Replication]) -> None:
    """Join what is not joined yet; re-point replicas `observed` following another primary than the model's."""
    before = _joining_state(group)
    try:
        await _join_all(service, group, observed)
    finally:
        if _joining_state(group) != before:
            service.model.save_group(group)


def _joining_state(group: ReplicationGroup) -> tuple:
    return tuple((m.joined, m.cluster_node_id) for m in group.members), tuple(group.forget)


async def _join_all(service: ElastiCache, group: ReplicationGroup, observed: dict[str, Replication]) -> None:
    running = [m for m in group.members if service._engine_state(m) == "running"]
    for member in running:
        if not member.cluster_node_id:
            member.cluster_node_id = await _ask(group, member, "its id", engines.cluster_node_id(member)) or ""
    running = [m for m in running if m.cluster_node_id]
    if not running:
        return
    for node_id in list(group.forget):
        done = [await _ask(group, member, "to forget a lost engine", _forget(member, node_id)) for member in running]
        if all(done):
            group.forget.remove(node_id)
    anchor = next((m for m in running if m.joined), running[0])
    for member in running:  # each on its own: one that cannot join yet holds up no other
        if not member.joined:
            member.joined = await _ask(group, member, "to join", _join(group, member, anchor)) or False
    for member in running:
        seen = observed.get(member.member_id)
        primary = group.primary(member.node_group_id)
        if (member.role == REPLICA and member.joined and seen is not None and primary.cluster_node_id
                and seen.master != (primary.address, primary.port)):
            await _ask(group, member, "to follow its primary",
                       engines.command(member, "CLUSTER", "REPLICATE", primary.cluster_node_id))


async def _ask(group: ReplicationGroup, member, what: str, step):
    try:
        return await step
    except (OSError, engines.aioredis.RedisError) as e:
        log.warning("%s of %s: not yet %s: %s", member.member_id, group.replication_group_id, what, e)
        return None


async def _join(group: ReplicationGroup, member, anchor) -> bool:
    """Meet the cluster, then take the node group's slots (a primary) or follow its primary (a replica)."""
    if member is not anchor:
        await engines.command(member, "CLUSTER", "MEET", anchor.address, str(anchor.port), str(anchor.bus_port))
    if member.role == PRIMARY:
        start, end = group.group(member.node_group_id).slots  # type: ignore[misc]
        await engines.command(member, "CLUSTER", "ADDSLOTSRANGE", str(start), str(end))
        return True
    primary = group.primary(member.node_group_id)
    if primary.joined and primary.cluster_node_id and await _knows(member, primary.cluster_node_id):
        await engines.command(member, "CLUSTER", "REPLICATE", primary.cluster_node_id)
        return True
    return False  # gossip has not told it of its primary yet


async def _knows(member, node_id: str) -> bool:
    nodes = str(await engines.command(member, "CLUSTER", "NODES"))
    return any(line.startswith(node_id) for line in nodes.splitlines())


async def _forget(member, node_id: str) -> bool:
    if member.cluster_node_id != node_id:
        try:
            await engines.command(member, "CLUSTER", "FORGET", node_id)
        except engines.aioredis.ResponseError:
            pass  # already forgotten, or never known
    return True
