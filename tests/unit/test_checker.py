"""The kill-az tests' checker and client load, checked on writes to a dict: the checker must fail on a lost
write, and the load must fail the test when one of its clients dies."""

import pytest

from tests.checker import ClientLoad, NotAcknowledged, assert_no_failures, check


def test_a_lost_acknowledged_write_fails_the_check_and_is_named():
    verdict = check(["k1", "k2", "k3"], ["k1", "k3", "never-acknowledged"])
    assert verdict.lost == ["k2"]
    with pytest.raises(AssertionError, match=r"1 of 3 acknowledged writes lost, among them \['k2'\]"):
        verdict.assert_nothing_lost()


def test_everything_present_passes_and_unacknowledged_extras_are_allowed():
    check(["a", "b"], ["b", "a", "c"]).assert_holds()


def test_nothing_acknowledged_fails_rather_than_passing_of_any_service():
    with pytest.raises(AssertionError, match="nothing was acknowledged"):
        check([], []).assert_nothing_lost()


def test_duplicates_count_only_where_the_service_promises_each_once():
    assert check(["a"], ["a", "a"]).duplicated == []
    verdict = check(["a", "b"], ["a", "b", "a"], unique=True)
    assert verdict.duplicated == ["a"]
    with pytest.raises(AssertionError, match="more than once"):
        verdict.assert_holds()


def test_order_is_checked_within_a_group_on_first_appearances():
    group = lambda key: key.split(":")[0]  # noqa: E731
    acked = ["g1:0", "g2:0", "g1:1", "g2:1"]
    # groups interleave freely, and a redelivery of an earlier key is no reordering
    assert check(acked, ["g2:0", "g1:0", "g2:1", "g1:0", "g1:1"], ordered_by=group).reordered == []
    verdict = check(acked, ["g1:1", "g1:0", "g2:0", "g2:1"], ordered_by=group)
    assert verdict.reordered == [("g1:1", "g1:0")]
    with pytest.raises(AssertionError, match="before one acknowledged earlier"):
        verdict.assert_holds()


def test_the_load_acknowledges_what_returned_and_records_failures_with_their_times():
    store: dict[str, int] = {}

    def write(n: int) -> str | None:
        if n % 3 == 1:
            raise ConnectionError("refused")
        store[f"k{n}"] = n
        return f"k{n}"

    load = ClientLoad(max_calls=9)
    writes = load.client("writer", write, expected=(ConnectionError,), pause_after_failure_s=0)
    with load:
        load.join()
    assert writes.acknowledged == ["k0", "k2", "k3", "k5", "k6", "k8"]
    assert [c.error for c in writes.failures] == ["ConnectionError: refused"] * 3
    assert all(c.sent <= c.done for c in writes.calls)
    check(writes.acknowledged, store).assert_nothing_lost()
    del store["k5"]  # a write the service lost
    with pytest.raises(AssertionError, match=r"\['k5'\]"):
        check(writes.acknowledged, store).assert_nothing_lost()
    with pytest.raises(AssertionError, match="3 writes failed"):
        assert_no_failures(writes.calls, "writes")


def test_a_retrying_client_calls_the_same_n_until_acknowledged():
    tries: list[int] = []

    def send(n: int) -> str:
        tries.append(n)
        if tries.count(n) < 2:
            raise NotAcknowledged("503")  # a failure whatever the client expects
        return f"m{n}"

    load = ClientLoad(max_calls=6)
    sends = load.client("producer", send, retry=True, pause_after_failure_s=0)
    with load:
        load.join()
    assert tries == [0, 0, 1, 1, 2, 2] and sends.acknowledged == ["m0", "m1", "m2"]


def test_a_client_that_dies_fails_the_test_on_exit():
    def broken(n: int) -> str:
        raise KeyError("a bug in the client")

    with pytest.raises(AssertionError, match="client writer of the load died: KeyError"):
        with ClientLoad() as load:
            load.client("writer", broken, expected=(ConnectionError,))
            load.join(10)


def test_the_load_stops_by_itself_in_time_whatever_its_test_does():
    load = ClientLoad(max_seconds=0.2, max_calls=10**9)
    ticks = load.client("ticker", lambda n: None, pause_s=0.01)
    with load:
        load.join(10)  # fails unless every client ended by itself
    assert 0 < len(ticks.calls) < 10**9
