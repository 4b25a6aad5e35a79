"""Acknowledged versus present: the one client load and the one checker of every kill-az test.

A kill-az test runs clients under `ClientLoad`, each a thread calling `call(n)` for n = 0, 1, ...;
a call that returns is acknowledged, with the keys it returns (what the client was told is
written), and one that raises NotAcknowledged or an expected error is a failure, kept with its
time. Afterwards `check` compares what was acknowledged with what the service holds:

    with ClientLoad() as load:
        writes = load.client("writer", lambda n: put(f"k{n}") and f"k{n}", expected=(IOError,))
        ...                                  # kill an AZ, wait on `writes.acknowledged_after(...)`
    check(writes.acknowledged, keys_present()).assert_nothing_lost()

The load is bounded in calls and in time, whatever its test does; a thread that dies of an
unexpected error fails the test on exit, so "nothing lost" is never true of writes never made.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

SHOWN = 5  # keys named in an assertion message


class NotAcknowledged(Exception):
    """What a client's call raises when the answer it got is no acknowledgement (an error code, a wrong
    body, no replica holding the write): a failure of the load, not a death of its client."""


@dataclass(frozen=True)
class Call:
    """One call of a client: when it was sent and answered, the keys acknowledged, or its error."""

    sent: float
    done: float
    keys: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Stream:
    """What one client thread did, call by call (appended by its thread only)."""

    name: str
    calls: list[Call] = field(default_factory=list)

    @property
    def acknowledged(self) -> list[str]:
        """Every acknowledged key, in the order the client was told."""
        return [key for c in self.calls if c.ok for key in c.keys]

    @property
    def failures(self) -> list[Call]:
        return [c for c in self.calls if not c.ok]

    def acknowledged_after(self, moment: float) -> int:
        """Keys acknowledged after `moment` (time.time()): what tests wait on to know the service is back."""
        return sum(len(c.keys) for c in self.calls if c.ok and c.done > moment)

    def sent_after(self, moment: float) -> list[Call]:
        return [c for c in self.calls if c.sent > moment]


class ClientLoad:
    """Client threads, bounded in count (`max_calls` each) and time (`max_seconds`), started on enter (or
    when added, after it) and stopped on exit; exit fails the test if a thread died of an unexpected error
    or did not stop."""

    def __init__(self, max_seconds: float = 120.0, max_calls: int = 20_000):
        self.max_seconds, self.max_calls = max_seconds, max_calls
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._deaths: list[tuple[str, BaseException]] = []
        self._started = False

    def client(self, name: str, call: Callable[[int], Iterable[str] | str | None], *,
               expected: tuple[type[BaseException], ...] = (), retry: bool = False,
               pause_s: float = 0.0, pause_after_failure_s: float = 0.05) -> Stream:
        """A client calling `call(n)` in a loop; it returns the key or keys it was acknowledged (None for none).

        NotAcknowledged or an `expected` error is a failure, recorded with its time; `retry` calls the same
        n again after one (a producer resending until acknowledged), else the client goes on to n + 1."""
        stream = Stream(name)
        thread = threading.Thread(target=self._run, name=f"load-{name}", daemon=True,
                                  args=(stream, call, expected, retry, pause_s, pause_after_failure_s))
        self._threads.append(thread)
        if self._started:
            thread.start()
        return stream

    def _run(self, stream: Stream, call, expected, retry: bool, pause_s: float, pause_after_failure_s: float) -> None:
        deadline = time.monotonic() + self.max_seconds
        expected = (NotAcknowledged, *expected)
        n = 0
        try:
            for _ in range(self.max_calls):
                if self._stop.is_set() or time.monotonic() > deadline:
                    return
                sent = time.time()  # a call counts from when it was sent, not from when it timed out
                try:
                    keys = call(n)
                except expected as e:
                    stream.calls.append(Call(sent, time.time(), error=f"{type(e).__name__}: {e}"[:300]))
                    n += 0 if retry else 1
                    self._stop.wait(pause_after_failure_s)
                    continue
                keys = () if keys is None else (keys,) if isinstance(keys, str) else tuple(keys)
                stream.calls.append(Call(sent, time.time(), keys))
                n += 1
                if pause_s:
                    self._stop.wait(pause_s)
        except BaseException as e:  # a client that died would leave "nothing lost" true of writes never made
            self._deaths.append((stream.name, e))

    def __enter__(self) -> ClientLoad:
        self._started = True
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, join_s: float = 60.0) -> None:
        """Stop every client and wait for it; fails if one died or hangs."""
        self._stop.set()
        self.join(join_s)

    def join(self, timeout_s: float = 60.0) -> None:
        """Wait for every client to end by its own bounds; fails if one died or is still running."""
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        hung = [t.name for t in self._threads if t.is_alive()]
        if self._deaths:
            name, error = self._deaths[0]
            raise AssertionError(f"client {name} of the load died: {error!r}") from error
        assert not hung, f"clients of the load did not stop: {hung}"

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass(frozen=True)
class Verdict:
    """What `check` found: acknowledged keys absent, keys present more than once, and pairs present in
    another order than they were acknowledged."""

    acknowledged: int
    lost: list[str]
    duplicated: list[str]
    reordered: list[tuple[str, str]]

    def assert_nothing_lost(self) -> None:
        assert self.acknowledged, "nothing was acknowledged: the check would hold of any service"
        assert not self.lost, (f"{len(self.lost)} of {self.acknowledged} acknowledged writes lost, "
                               f"among them {self.lost[:SHOWN]}")

    def assert_holds(self) -> None:
        """Nothing lost, nothing duplicated, nothing reordered (of what was checked)."""
        self.assert_nothing_lost()
        assert not self.duplicated, f"{len(self.duplicated)} keys present more than once: {self.duplicated[:SHOWN]}"
        assert not self.reordered, (f"{len(self.reordered)} keys present before one acknowledged earlier: "
                                    f"{self.reordered[:SHOWN]}")


def check(acknowledged: Sequence[str], present: Iterable[str], *, unique: bool = False,
          ordered_by: Callable[[str], Hashable] | None = None) -> Verdict:
    """Compare what was acknowledged (in the order it was) with what is present (in the order the service
    gives it: rows, deliveries).

    lost: acknowledged, not present. duplicated (with `unique`, where the service promises each once):
    present more than once. reordered (with `ordered_by`, the key's ordering group, e.g. a FIFO message
    group): in a group, the first appearances of acknowledged keys out of their acknowledged order, as
    (the key that appeared first, the one acknowledged before it that appeared after it). Keys present but
    never acknowledged are neither lost nor reordered: a write whose acknowledgement was cut short may land
    or not."""
    present = list(present)
    counts = Counter(present)
    lost = [k for k in acknowledged if k not in counts]
    duplicated = sorted(k for k, n in counts.items() if n > 1) if unique else []
    reordered: list[tuple[str, str]] = []
    if ordered_by is not None:
        rank = {k: i for i, k in enumerate(acknowledged)}
        highest: dict[Hashable, str] = {}  # per group, the latest-acknowledged key seen so far
        seen: set[str] = set()
        for key in present:
            if key in seen or key not in rank:
                continue
            seen.add(key)
            group = ordered_by(key)
            if group in highest and rank[highest[group]] > rank[key]:
                reordered.append((highest[group], key))
            elif group not in highest or rank[key] > rank[highest[group]]:
                highest[group] = key
    return Verdict(len(acknowledged), lost, duplicated, reordered)


def assert_no_failures(calls: Iterable[Call], what: str) -> None:
    """Every one of `calls` answered: the message names a few that did not, with their errors."""
    failed = [c for c in calls if not c.ok]
    shown = [(round(c.sent, 2), c.error) for c in failed[:SHOWN]]
    assert not failed, f"{len(failed)} {what} failed, among them (sent at, error) {shown}"
