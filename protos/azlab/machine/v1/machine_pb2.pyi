from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class DescribeMachineRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeMachineResponse(_message.Message):
    __slots__ = ("address", "processes", "raylet_running", "network_cut", "network_slowed")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PROCESSES_FIELD_NUMBER: _ClassVar[int]
    RAYLET_RUNNING_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CUT_FIELD_NUMBER: _ClassVar[int]
    NETWORK_SLOWED_FIELD_NUMBER: _ClassVar[int]
    address: str
    processes: int
    raylet_running: bool
    network_cut: bool
    network_slowed: bool
    def __init__(self, address: _Optional[str] = ..., processes: _Optional[int] = ..., raylet_running: _Optional[bool] = ..., network_cut: _Optional[bool] = ..., network_slowed: _Optional[bool] = ...) -> None: ...

class KillProcessesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class KillProcessesResponse(_message.Message):
    __slots__ = ("processes_killed",)
    PROCESSES_KILLED_FIELD_NUMBER: _ClassVar[int]
    processes_killed: int
    def __init__(self, processes_killed: _Optional[int] = ...) -> None: ...

class CutNetworkRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CutNetworkResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SlowNetworkRequest(_message.Message):
    __slots__ = ("latency_ms", "loss_pct")
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    LOSS_PCT_FIELD_NUMBER: _ClassVar[int]
    latency_ms: int
    loss_pct: float
    def __init__(self, latency_ms: _Optional[int] = ..., loss_pct: _Optional[float] = ...) -> None: ...

class SlowNetworkResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealNetworkRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealNetworkResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StartRayletRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StartRayletResponse(_message.Message):
    __slots__ = ("started",)
    STARTED_FIELD_NUMBER: _ClassVar[int]
    started: bool
    def __init__(self, started: _Optional[bool] = ...) -> None: ...
