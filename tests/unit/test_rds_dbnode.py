"""The RDS data plane without Ray: real DB nodes on loopback ports, real gRPC
replication between them, driven as the controller and the Data API drive them."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import grpc
import pytest

from azlab.common.rds.errors import InvalidDBInstanceState
from azlab.common.rpc import ERROR_CODE_KEY
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.nodes.rds.engine import SqliteEngine
from azlab.nodes.rds.server import DbNode, DbNodeServicer, create_server, to_value
from azlab.rds.v1 import dbnode_pb2, dbnode_pb2_grpc, rds_pb2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Member:
    def __init__(self, member_id: str, data_dir: Path, keep_log_entries: int = 10_000):
        self.member_id = member_id
        self.keep_log_entries = keep_log_entries
        self.data_dir = data_dir
        self.node: DbNode | None = None

    async def start(self, port: int = 0) -> None:
        self.node = DbNode(self.member_id, SqliteEngine(self.data_dir / "db.sqlite", keep_log_entries=self.keep_log_entries), self.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        await self.node.start()
        self.port = port or free_port()
        self.server, _ = await create_server(DbNodeServicer(self.node), f"127.0.0.1:{self.port}")
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = dbnode_pb2_grpc.DbNodeStub(self.channel)
        self.member = member_pb2_grpc.MemberStub(self.channel)

    async def stop(self) -> None:
        for link in self.node.followers.values():
            link.stop()
        await self.server.stop(0)
        await self.channel.close()
        self.node.engine.stop()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def configure(self, epoch: int, role: str, followers=()) -> member_pb2.MemberStatus:
        request = member_pb2.ConfigureRequest(epoch=epoch)
        request.settings.Pack(dbnode_pb2.DbNodeSettings(
            role=role, followers=[dbnode_pb2.Follower(member_id=m.member_id, address=m.address, sync=sync)
                                  for m, sync in followers]))
        return await self.member.Configure(request)

    async def sql(self, sql: str, timeout: float = 5.0, **params) -> rds_pb2.ExecuteStatementResponse:
        parameters = [rds_pb2.SqlParameter(name=k, value=_field(v)) for k, v in params.items()]
        return await self.stub.ExecuteStatement(
            rds_pb2.ExecuteStatementRequest(sql=sql, parameters=parameters, include_result_metadata=True), timeout=timeout)

    async def rows(self, sql: str) -> list[tuple]:
        answer = await self.sql(sql)
        return [tuple(to_value(f) for f in r.values) for r in answer.records]

    async def status(self) -> member_pb2.MemberStatus:
        return await self.member.Status(member_pb2.StatusRequest())

    async def detail(self) -> dbnode_pb2.DbNodeDetail:
        detail = dbnode_pb2.DbNodeDetail()
        assert (await self.status()).detail.Unpack(detail)
        return detail

    async def lsn(self) -> int:
        return (await self.status()).position[1]  # the position: the last entry's epoch, its LSN


def _field(value) -> rds_pb2.Field:
    if value is None:
        return rds_pb2.Field(is_null=True)
    if isinstance(value, bool):
        return rds_pb2.Field(boolean_value=value)
    if isinstance(value, int):
        return rds_pb2.Field(long_value=value)
    if isinstance(value, float):
        return rds_pb2.Field(double_value=value)
    if isinstance(value, bytes):
        return rds_pb2.Field(blob_value=value)
    return rds_pb2.Field(string_value=value)


def code_of(error: grpc.aio.AioRpcError) -> str:
    return dict(error.trailing_metadata() or ()).get(ERROR_CODE_KEY, "")


async def eventually(predicate, timeout_s: float = 10.0, what: str = "a condition"):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not (value := await predicate()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


@contextlib.asynccontextmanager
async def members(tmp_path: Path, *names: str, keep_log_entries: int = 10_000):
    started = [Member(name, tmp_path / name, keep_log_entries) for name in names]
    for member in started:
        await member.start()
    try:
        yield started
    finally:
        for member in started:
            await member.stop()


def run(coro):
    return asyncio.run(coro)


def test_commits_reach_the_standby_and_replica_row_for_row(tmp_path):
    async def story():
        async with members(tmp_path, "p", "s", "r") as (p, s, r):
            await s.configure(1, "standby")
            await r.configure(1, "replica")
            await p.configure(1, "primary", [(s, True), (r, False)])
            await p.sql("CREATE TABLE t (id INTEGER PRIMARY KEY, n, at, b)")
            await eventually(lambda: _in_sync(p, "s"), what="the standby in sync")
            inserted = await p.sql("INSERT INTO t (n, at, b) VALUES (random(), datetime('now'), :b)", b=b"\x00\x01")
            assert inserted.number_of_records_updated == 1 and inserted.generated_fields[0].long_value == 1
            assert inserted.lsn == 2
            await p.sql("INSERT INTO t (n) VALUES (:n)", n=2.5)
            await p.sql("UPDATE t SET n = n + 1 WHERE id = 2")
            expected = await p.rows("SELECT * FROM t ORDER BY id")
            assert await s.lsn() == 4  # synchronous: there before the commit was acknowledged
            assert s.node.engine.query("SELECT * FROM t ORDER BY id", {}).rows == expected
            await eventually(lambda: _caught_up(r, 4), what="the replica caught up")
            assert await r.rows("SELECT * FROM t ORDER BY id") == expected
            assert expected[1][1] == 3.5 and expected[0][3] == b"\x00\x01"
            assert (await s.detail()).synced_epoch == 1 and (await s.status()).role == "standby"

    run(story())


async def _in_sync(primary: Member, member_id: str) -> bool:
    return any(f.member_id == member_id and f.in_sync for f in (await primary.detail()).followers)


async def _caught_up(member: Member, lsn: int) -> bool:
    return await member.lsn() >= lsn


def test_a_replica_refuses_writes_and_a_standby_refuses_reads(tmp_path):
    async def story():
        async with members(tmp_path, "p", "s", "r") as (p, s, r):
            await s.configure(1, "standby")
            await r.configure(1, "replica")
            await p.configure(1, "primary", [(s, True), (r, False)])
            await p.sql("CREATE TABLE t (x)")
            await eventually(lambda: _caught_up(r, 1), what="the replica")
            for statement in ("INSERT INTO t VALUES (1)", "CREATE TABLE u (y)", "DELETE FROM t"):
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await r.sql(statement)
                assert code_of(refused.value) == InvalidDBInstanceState.code
            assert await r.rows("SELECT count(*) FROM t") == [(0,)]
            with pytest.raises(grpc.aio.AioRpcError) as unreadable:
                await s.sql("SELECT 1")
            assert code_of(unreadable.value) == InvalidDBInstanceState.code

    run(story())


def test_sql_errors_carry_the_engine_message_and_change_nothing(tmp_path):
    async def story():
        async with members(tmp_path, "p") as (p,):
            await p.configure(1, "primary")
            await p.sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            await p.sql("INSERT INTO t VALUES (1)")
            for statement, says in (("INSERT INTO t VALUES (1)", "UNIQUE constraint failed"),
                                    ("SELEC 1", "syntax error"),
                                    ("BEGIN", "not authorized"),
                                    ("INSERT INTO _azlab_log VALUES (9, 9, 0, x'')", "not authorized"),
                                    ("INSERT INTO t VALUES (2); INSERT INTO t VALUES (3)", "one statement per call")):
                with pytest.raises(grpc.aio.AioRpcError) as failed:
                    await p.sql(statement)
                assert code_of(failed.value) == "BadRequestException" and says in failed.value.details()
            assert await p.rows("SELECT id FROM t") == [(1,)]
            assert await p.lsn() == 2

    run(story())


def test_a_transaction_commits_atomically_and_a_failed_statement_keeps_it_open(tmp_path):
    async def story():
        async with members(tmp_path, "p", "r") as (p, r):
            await r.configure(1, "replica")
            await p.configure(1, "primary", [(r, False)])
            await p.sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            txn = (await p.stub.BeginTransaction(rds_pb2.BeginTransactionRequest())).transaction_id
            await p.stub.ExecuteStatement(rds_pb2.ExecuteStatementRequest(sql="INSERT INTO t VALUES (1)", transaction_id=txn))
            with pytest.raises(grpc.aio.AioRpcError):
                await p.stub.ExecuteStatement(rds_pb2.ExecuteStatementRequest(sql="INSERT INTO t VALUES (1)", transaction_id=txn))
            await p.stub.ExecuteStatement(rds_pb2.ExecuteStatementRequest(sql="INSERT INTO t VALUES (2)", transaction_id=txn))
            assert await p.rows("SELECT count(*) FROM t") == [(0,)]  # not visible before the commit
            committed = await p.stub.CommitTransaction(rds_pb2.CommitTransactionRequest(transaction_id=txn))
            assert committed.transaction_status == "Transaction Committed"
            await eventually(lambda: _caught_up(r, 2), what="the replica")
            assert await r.rows("SELECT id FROM t ORDER BY id") == [(1,), (2,)]
            rolled = (await p.stub.BeginTransaction(rds_pb2.BeginTransactionRequest())).transaction_id
            await p.stub.ExecuteStatement(rds_pb2.ExecuteStatementRequest(sql="DELETE FROM t", transaction_id=rolled))
            await p.stub.RollbackTransaction(rds_pb2.RollbackTransactionRequest(transaction_id=rolled))
            assert await p.rows("SELECT count(*) FROM t") == [(2,)]
            with pytest.raises(grpc.aio.AioRpcError) as gone:
                await p.stub.CommitTransaction(rds_pb2.CommitTransactionRequest(transaction_id=rolled))
            assert code_of(gone.value) == "NotFoundException"
            batch = await p.stub.BatchExecuteStatement(rds_pb2.BatchExecuteStatementRequest(
                sql="INSERT INTO t VALUES (:id)",
                parameter_sets=[rds_pb2.SqlParameterSet(parameters=[rds_pb2.SqlParameter(name="id", value=_field(i))])
                                for i in (3, 4)]))
            assert [u.generated_fields[0].long_value for u in batch.update_results] == [3, 4]

    run(story())


def test_a_newer_epoch_fences_the_old_primary_and_a_new_member_bootstraps_from_a_snapshot(tmp_path):
    async def story():
        async with members(tmp_path, "p", "s", "late") as (p, s, late):
            await s.configure(1, "standby")
            await p.configure(1, "primary", [(s, True)])
            await p.sql("CREATE TABLE t (x)")
            await eventually(lambda: _in_sync(p, "s"), what="the standby in sync")
            for i in range(20):
                await p.sql("INSERT INTO t VALUES (:x)", x=i)
            # failover: the standby is primary under epoch 2, the old primary is told nothing
            await late.configure(2, "standby")
            await s.configure(2, "primary", [(late, True), (p, False)])
            assert (await s.sql("INSERT INTO t VALUES (20)")).lsn == 22
            await eventually(lambda: _caught_up(p, 22), what="the old primary, fenced, to follow")
            assert (await p.status()).role == "fenced"
            with pytest.raises(grpc.aio.AioRpcError) as fenced:
                await p.sql("INSERT INTO t VALUES (99)")
            assert code_of(fenced.value) == "DatabaseUnavailableException"
            await eventually(lambda: _in_sync(s, "late"), what="the new standby in sync")
            assert late.node.engine.query("SELECT count(*) FROM t", {}).rows == [(21,)]
            assert await late.lsn() == 22 and (await late.detail()).synced_epoch == 2
            assert late.node.engine.get_meta("base_lsn") >= 21  # a new member starts from a snapshot

    run(story())


def test_a_commit_waits_for_an_unreachable_standby_and_fails_when_fenced(tmp_path):
    async def story():
        async with members(tmp_path, "p", "s") as (p, s):
            await s.configure(1, "standby")
            await p.configure(1, "primary", [(s, True)])
            await p.sql("CREATE TABLE t (x)")
            await eventually(lambda: _in_sync(p, "s"), what="the standby in sync")
            await s.server.stop(0)  # the standby's AZ is gone
            with pytest.raises(grpc.aio.AioRpcError) as waited:
                await p.sql("INSERT INTO t VALUES (1)", timeout=1.5)
            assert waited.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert await p.rows("SELECT count(*) FROM t") == [(0,)]  # not acknowledged, not visible
            # the controller drops the standby under a new epoch: writes go on
            await p.configure(2, "primary")
            assert (await p.sql("INSERT INTO t VALUES (2)")).lsn == 2

    run(story())


def test_a_follower_behind_the_log_or_off_its_history_is_bootstrapped_from_a_snapshot(tmp_path):
    async def story():
        async with members(tmp_path, "p", "behind", "diverged", keep_log_entries=10) as (p, behind, diverged):
            await diverged.configure(1, "primary")  # a history of its own, never the primary's
            await diverged.sql("CREATE TABLE mine (y)")
            await p.configure(2, "primary")
            await p.sql("CREATE TABLE t (x)")
            for i in range(40):
                await p.sql("INSERT INTO t VALUES (:x)", x=i)
            assert p.node.engine.entries(0, 1)[0].lsn > 1  # the log no longer reaches back to the start
            await behind.configure(2, "replica")
            await diverged.configure(2, "replica")
            await p.configure(2, "primary", [(behind, False), (diverged, False)])
            for follower in (behind, diverged):
                await eventually(lambda: _caught_up(follower, 41), what=f"{follower.member_id} bootstrapped")
                assert await follower.rows("SELECT count(*), sum(x) FROM t") == [(40, sum(range(40)))]
            assert await diverged.rows("SELECT count(*) FROM sqlite_master WHERE name = 'mine'") == [(0,)]
            await p.sql("INSERT INTO t VALUES (40)")  # and the stream goes on from the snapshot's LSN
            await eventually(lambda: _caught_up(behind, 42), what="streaming after the snapshot")
            assert (await behind.status()).epoch == 2

    run(story())


def test_a_configuration_under_an_older_epoch_or_of_another_kind_is_refused_and_changes_nothing(tmp_path):
    async def story():
        async with members(tmp_path, "p") as (p,):
            await p.configure(3, "primary")
            await p.sql("CREATE TABLE t (x)")
            with pytest.raises(grpc.aio.AioRpcError) as stale:
                await p.configure(2, "replica")
            assert code_of(stale.value) == "StaleEpoch"
            with pytest.raises(grpc.aio.AioRpcError) as unknown:
                await p.configure(4, "leader")
            assert code_of(unknown.value) == InvalidDBInstanceState.code
            request = member_pb2.ConfigureRequest(epoch=5)
            request.settings.Pack(member_pb2.StatusRequest())
            with pytest.raises(grpc.aio.AioRpcError) as foreign:
                await p.member.Configure(request)
            assert foreign.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            status = await p.status()
            assert (status.role, status.epoch) == ("primary", 3)
            assert (await p.sql("INSERT INTO t VALUES (1)")).lsn == 2  # still the primary it was
            port = p.port
            await p.stop()
            await p.start(port)  # the epoch it was told is on disk: a restart does not take the older one either
            assert (await p.status()).epoch == 3
            with pytest.raises(grpc.aio.AioRpcError) as after_restart:
                await p.configure(2, "primary")
            assert code_of(after_restart.value) == "StaleEpoch"

    run(story())
