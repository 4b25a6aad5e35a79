"""Cluster mode: joining engines into one Redis Cluster, by its own commands.

Done step by step, each step repeated until it holds (so the reconcile tick
drives it): a new engine MEETs a member already in the cluster; a primary
takes its node group's hash slots; a replica REPLICATEs its primary once
gossip has told it of that primary; a lost member is FORGOTten by the rest.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from azlab.cluster.elasticache import engines
from azlab.cluster.elasticache.model import PRIMARY, REPLICA, ReplicationGroup

if TYPE_CHECKING:
    from azlab.cluster.elasticache.service import ElastiCache

log = logging.getLogger(__name__)


async def ensure_cluster(service: ElastiCache, group: ReplicationGroup) -> None:
    running = [m for m in group.members if service._engine_state(m) == "running"]
    if not running:
        return
    try:
        for member in running:
            if not member.cluster_node_id:
                member.cluster_node_id = await engines.cluster_node_id(member)
        changed = False
        for node_id in list(group.forget):
            for member in running:
                await _forget(member, node_id)
            group.forget.remove(node_id)
            changed = True
        anchor = next((m for m in running if m.joined), running[0])
        for member in running:
            if member.joined:
                continue
            if member is not anchor:
                await engines.command(member, "CLUSTER", "MEET", anchor.address, str(anchor.port), str(anchor.bus_port))
            if member.role == PRIMARY:
                start, end = group.group(member.node_group_id).slots  # type: ignore[misc]
                await engines.command(member, "CLUSTER", "ADDSLOTSRANGE", str(start), str(end))
                member.joined = changed = True
            else:
                primary = group.primary(member.node_group_id)
                if primary.joined and primary.cluster_node_id and await _knows(member, primary.cluster_node_id):
                    await engines.command(member, "CLUSTER", "REPLICATE", primary.cluster_node_id)
                    member.joined = changed = True
        await _follow_primaries(service, group, running)
        if changed:
            service.model.save_group(group)
    except (OSError, engines.aioredis.RedisError) as e:
        log.warning("cluster %s not joined yet: %s", group.replication_group_id, e)


async def _knows(member, node_id: str) -> bool:
    nodes = str(await engines.command(member, "CLUSTER", "NODES"))
    return any(line.startswith(node_id) for line in nodes.splitlines())


async def _forget(member, node_id: str) -> None:
    if member.cluster_node_id == node_id:
        return
    try:
        await engines.command(member, "CLUSTER", "FORGET", node_id)
    except engines.aioredis.ResponseError:
        pass  # already forgotten, or never known


async def _follow_primaries(service: ElastiCache, group: ReplicationGroup, running) -> None:
    """Replicas whose engine follows another primary than the model's are re-pointed, once a second each."""
    now = time.monotonic()
    for member in running:
        if member.role != REPLICA or not member.joined:
            continue
        if now - service._role_checked.get(member.member_id, 0) < 1.0:
            continue
        service._role_checked[member.member_id] = now
        primary = group.primary(member.node_group_id)
        seen = await engines.replication(member)
        if seen is not None and seen.master != (primary.address, primary.port) and primary.cluster_node_id:
            await engines.command(member, "CLUSTER", "REPLICATE", primary.cluster_node_id)
