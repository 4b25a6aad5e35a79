"""The postgres engine's DB node against real PostgreSQL servers, without a region:
three members on loopback, configured as the controller would, checked with psycopg."""

from __future__ import annotations

import asyncio
import shutil
import socket
import time

import grpc
import psycopg
import pytest
from azlab.common.rpc import ErrorInterceptor
from azlab.cluster.rds.service import postgres_storage
from azlab.nodes.rds.postgres import PgNode, PgNodeServicer, PgServer, unavailable_reason
from azlab.rds.v1 import dbnode_pb2, dbnode_pb2_grpc

REASON = unavailable_reason()
if REASON:
    print(f"skipping the postgres engine's tests: {REASON}")
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON or "-")
USER, PASSWORD = "app", "secret-pass-1"
SETTLE_S = 60


@pytest.fixture
def root(tmp_path):
    path = postgres_storage(tmp_path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Member:
    def __init__(self, member_id: str, root, archive):
        self.member_id = member_id
        self.pg_port = free_port()
        self.server = PgServer(root / member_id, "127.0.0.1", self.pg_port, USER, PASSWORD, archive)
        self.node = PgNode(member_id, self.server)
        self.address = ""

    async def start(self):
        await self.node.start()
        self.grpc = grpc.aio.server(interceptors=[ErrorInterceptor()])
        dbnode_pb2_grpc.add_DbNodeServicer_to_server(PgNodeServicer(self.node), self.grpc)
        self.address = f"127.0.0.1:{self.grpc.add_insecure_port('127.0.0.1:0')}"
        await self.grpc.start()
        self.task = asyncio.get_running_loop().create_task(self.node.run())

    async def stop(self):
        self.task.cancel()
        await self.grpc.stop(0)
        await asyncio.to_thread(self.server.stop, True)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.pg_port}"

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.pg_port, user=USER, password=PASSWORD, dbname="postgres",
                               autocommit=True, connect_timeout=3)


async def configure(member: Member, role: str, epoch: int, primary: Member | None = None,
                    followers: tuple[tuple[Member, bool], ...] = ()) -> None:
    await member.node.configure(epoch, dbnode_pb2.DbNodeSettings(
        role=role, lineage="shop", primary=primary.endpoint if primary else "",
        followers=[dbnode_pb2.Follower(member_id=m.member_id, address=m.address, sync=sync) for m, sync in followers]))


async def until(check, what: str):
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        try:
            if result := await asyncio.to_thread(check):
                return result
        except psycopg.Error:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_sync_standby_replica_failover_and_rejoin(root):
    asyncio.run(_scenario(root))


async def _scenario(tmp_path):
    archive = tmp_path / "archive"
    a, b, c = (Member(f"shop-{i}", tmp_path, archive) for i in (1, 2, 3))
    for m in (a, b, c):
        await m.start()
    try:
        await configure(a, "primary", 1, followers=((b, True), (c, False)))
        await until(lambda: a.node.role == "primary", "a primary")
        await configure(b, "standby", 1, primary=a)
        await configure(c, "replica", 1, primary=a)
        await until(lambda: b.node.synced_epoch == 1, "the standby marked in sync")
        assert a.node.sync_names == '"shop-2"'
        with a.connect() as conn:
            conn.execute("CREATE TABLE acks (k text primary key)")
            conn.execute("INSERT INTO acks VALUES ('one')")
            assert conn.execute("SHOW synchronous_standby_names").fetchone()[0] == '"shop-2"'
        await until(lambda: c.connect().execute("SELECT count(*) FROM acks").fetchone()[0] == 1, "the replica reads")
        with c.connect() as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("INSERT INTO acks VALUES ('refused')")
        status = dbnode_pb2.DbNodeDetail()
        assert a.node.status().detail.Unpack(status)
        assert {f.member_id: f.in_sync for f in status.followers} == {"shop-2": True, "shop-3": False}
        assert status.engine_version.startswith("1")

        # a's AZ goes: b is promoted at epoch 2, c follows it
        await a.stop()
        await configure(b, "primary", 2, followers=((a, True), (c, False)))
        await until(lambda: b.node.role == "primary", "b promoted")
        with b.connect() as conn:
            assert conn.execute("SELECT k FROM acks").fetchall() == [("one",)]
            conn.execute("INSERT INTO acks VALUES ('two')")  # a is not in sync yet: commits do not wait for it
        await configure(c, "replica", 2, primary=b)
        await until(lambda: c.connect().execute("SELECT count(*) FROM acks").fetchone()[0] == 2, "c follows b")

        # a comes back as b's standby: re-cloned, then in sync at epoch 2
        a.node = PgNode(a.member_id, a.server)
        await a.start()
        await configure(b, "primary", 2, followers=((a, True), (c, False)))
        await configure(a, "standby", 2, primary=b)
        await until(lambda: a.node.synced_epoch == 2, "a back in sync")
        with b.connect() as conn:
            conn.execute("INSERT INTO acks VALUES ('three')")
        await until(lambda: c.connect().execute("SELECT count(*) FROM acks").fetchone()[0] == 3, "c still follows")
    finally:
        for m in (a, b, c):
            try:
                await m.stop()
            except Exception:
                pass


def test_a_primary_that_sees_a_newer_epoch_stops_its_server(root):
    tmp_path = root
    async def scenario():
        a = Member("solo-1", tmp_path, tmp_path / "archive")
        await a.start()
        try:
            await configure(a, "primary", 1)
            await until(lambda: a.node.role == "primary", "a primary")
            await a.node.append(dbnode_pb2.AppendRequest(epoch=2, lineage="shop", primary_id="other"))
            assert a.node.role == "fenced" and not a.server.running
            with pytest.raises(psycopg.OperationalError):
                a.connect()
        finally:
            await a.stop()
    asyncio.run(scenario())


def test_a_lost_standby_holds_commits_until_the_new_epoch_lets_it_go(root):
    async def scenario():
        a, b = Member("pair-1", root, root / "archive"), Member("pair-2", root, root / "archive")
        for m in (a, b):
            await m.start()
        try:
            await configure(a, "primary", 1, followers=((b, True),))
            await until(lambda: a.node.role == "primary", "a primary")
            await configure(b, "standby", 1, primary=a)
            await until(lambda: b.node.synced_epoch == 1, "the standby in sync")
            assert a.node.sync_names == '"pair-2"'  # commits wait for it
            await b.stop()
            await asyncio.sleep(1.0)
            assert a.node.sync_names == '"pair-2"'  # and go on waiting while it is gone, in this epoch
            await configure(a, "primary", 2, followers=((b, True),))  # the controller lets the standby go
            await until(lambda: a.node.sync_names == "", "commits no longer waiting")

            def commit():
                with a.connect() as conn:
                    conn.execute("CREATE TABLE goes_on (k int)")
                    return True
            assert await asyncio.wait_for(asyncio.to_thread(commit), 10)
        finally:
            for m in (a, b):
                try:
                    await m.stop()
                except Exception:
                    pass
    asyncio.run(scenario())
