"""The machine agent's contract, as the region calls it: one client per machine of a multi-machine lab."""

from __future__ import annotations

import grpc

from azlab.common.errors import AzlabError, UnsupportedOperation
from azlab.common.rpc import ERROR_CODE_KEY
from azlab.machine.v1 import machine_pb2, machine_pb2_grpc

MACHINE_PORT = 7470  # where a joined cluster's machines run their machine agent
CALL_TIMEOUT_S = 300.0  # starting a raylet takes a while


class Machine:
    """One machine agent, called synchronously (the controller calls it from a thread)."""

    def __init__(self, address: str, port: int):
        self.endpoint = f"{address}:{port}"

    def _call(self, method: str, request, timeout: float = CALL_TIMEOUT_S):
        with grpc.insecure_channel(self.endpoint) as channel:
            try:
                return getattr(machine_pb2_grpc.MachineStub(channel), method)(request, timeout=timeout)
            except grpc.RpcError as e:
                code = dict(e.trailing_metadata() or ()).get(ERROR_CODE_KEY)
                if code == UnsupportedOperation.code:
                    raise UnsupportedOperation(e.details()) from None
                raise AzlabError(f"machine agent {self.endpoint}: {e.details()}") from None

    def answers(self, timeout: float = 2.0) -> bool:
        try:
            self._call("DescribeMachine", machine_pb2.DescribeMachineRequest(), timeout)
            return True
        except AzlabError:
            return False

    def kill(self) -> int:
        return self._call("KillProcesses", machine_pb2.KillProcessesRequest()).processes_killed

    def cut(self) -> None:
        self._call("CutNetwork", machine_pb2.CutNetworkRequest())

    def slow(self, latency_ms: int, loss_pct: float) -> None:
        self._call("SlowNetwork", machine_pb2.SlowNetworkRequest(latency_ms=latency_ms, loss_pct=loss_pct))

    def heal(self) -> None:
        self._call("HealNetwork", machine_pb2.HealNetworkRequest())

    def start_raylet(self) -> bool:
        return self._call("StartRaylet", machine_pb2.StartRayletRequest()).started
