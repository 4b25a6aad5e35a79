"""What a regional service (ElastiCache, SQS, RDS, ...) is to the region controller.

Every service reads the same way (DESIGN.md): `protos/azlab/<svc>/v1` is the
contract; `azlab.cluster.<svc>` holds `model.py` (state and rules, pure),
`servicer.py` (wire <-> model), `service.py` (the controller-side part that
makes the data plane match the model) and `cli.py`; `azlab.nodes.<svc>` holds
its data-plane servers, where the service has its own.

The controller builds each service from a `ServiceContext` and runs its
`reconcile()` on a short tick, level-triggered after Kubernetes' controllers:
compare what the model wants with what the nodes run and the region's health
says, and act on the difference. So a failover, a restore-az and a restarted
controller are the same code path; nothing waits for an edge it might miss.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.interfaces import Dns, Instances
from azlab.cluster.region import Region
from azlab.cluster.runtime import agent_name
from azlab.cluster.state import Store
from azlab.common.agents import AgentCalls

log = logging.getLogger(__name__)

# The services a region serves, each a package `azlab.cluster.<name>`.
NAMES: tuple[str, ...] = ("ec2", "elasticache", "elb", "rds", "route53", "sqs")

AGENT_CALL_TIMEOUT_S = 5.0


class NodeUnreachable(Exception):
    """The node's agent did not answer in time: the node is dead, cut off or restarting."""


class NodeAgents(AgentCalls):
    """Calls to the node agents by node name, each bounded in time: a dead node answers nothing."""

    def __init__(self, namespace: str, timeout_s: float = AGENT_CALL_TIMEOUT_S):
        self.namespace = namespace
        self.timeout_s = timeout_s
        self._handles: dict[str, Any] = {}

    async def call(self, node_name: str, method: str, *args, timeout_s: float | None = None, **kwargs) -> Any:
        import ray  # here, not at the top: the CLI imports this module and needs no Ray

        try:
            if node_name not in self._handles:
                self._handles[node_name] = await asyncio.to_thread(ray.get_actor, agent_name(node_name), self.namespace)
            ref = getattr(self._handles[node_name], method).remote(*args, **kwargs)
            return await asyncio.wait_for(ref, timeout_s or self.timeout_s)
        except (ValueError, asyncio.TimeoutError, ray.exceptions.RayActorError) as e:
            # a restored node has a new agent under the same name: look it up again next time
            self._handles.pop(node_name, None)
            raise NodeUnreachable(f"{node_name}: {type(e).__name__}") from e


@dataclass(frozen=True)
class ServiceContext:
    region: Region
    store: Store
    agents: NodeAgents
    paths: Paths
    # what this service may ask of others (cluster/interfaces.py), wired by create_all; None where it needs none
    dns: Dns | None = None
    instances: Instances | None = None


@dataclass(frozen=True)
class GrpcService:
    full_name: str
    servicer: Any
    add_to_server: Callable[[Any, Any], None]


class Service(Protocol):
    name: str

    def grpc_services(self) -> list[GrpcService]: ...

    async def reconcile(self) -> None:
        """Make the data plane match the model once; called again and again, so idempotent."""


def remove_region(paths: Paths, config: RegionConfig | None) -> int:
    """`azlab down`, after the region's tagged processes are killed: each service's module-level
    `remove_region(paths, config)`, where it has one, removes what outlives them (containers, VMs, data kept
    outside the home). Returns how many processes, containers or VMs went. `config` is None when the
    region's state is gone already: remove whatever might be there."""
    removed = 0
    for name in NAMES:
        module = importlib.import_module(f"azlab.cluster.{name}.service")
        if hasattr(module, "remove_region"):
            removed += module.remove_region(paths, config)
    return removed


# Which service implements each interface of the ServiceContext. A provider is built first, from a
# context that offers no interface, so that no two services can need each other.
PROVIDERS: dict[str, str] = {"dns": "route53", "instances": "ec2"}


def create_all(context: ServiceContext) -> list[Service]:
    def create(name: str, context: ServiceContext) -> Service:
        return importlib.import_module(f"azlab.cluster.{name}.service").create(context)

    built = {name: create(name, context) for name in PROVIDERS.values()}
    wired = dataclasses.replace(context, **{field: built[name] for field, name in PROVIDERS.items()})
    built.update({name: create(name, wired) for name in NAMES if name not in built})
    return [built[name] for name in NAMES]


def add_commands(verbs) -> None:
    """Each service's `azlab <service> <operation>` commands."""
    for name in NAMES:
        importlib.import_module(f"azlab.cluster.{name}.cli").add_commands(verbs)


async def reconcile_forever(service: Service, interval_s: float) -> None:
    while True:
        try:
            await service.reconcile()
        except Exception:
            log.exception("reconciling %s failed; trying again", service.name)
        await asyncio.sleep(interval_s)
