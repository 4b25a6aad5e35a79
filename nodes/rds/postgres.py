"""The `postgres` engine's DB node: one PostgreSQL server per member, driven through the DbNode contract.

`python -m azlab.nodes.rds.postgres --member-id ID --address HOST:PORT --pg-port PORT --data-dir D --archive-dir A`
(started by the RDS service through the node agent, like the sqlite DB node;
the master user's name and password come in AZLAB_RDS_MASTER_USERNAME and
AZLAB_RDS_MASTER_PASSWORD, never on a command line). HOST:PORT serves the
DbNode gRPC contract to the controller; HOST:--pg-port is the PostgreSQL server
clients connect to, the instance's endpoint.

Replication is PostgreSQL's own: followers stream WAL from the primary
(`primary_conninfo`, a physical replication slot each, hot standby, timeline
`latest`), the Multi-AZ standby synchronously (`synchronous_standby_names`
with `synchronous_commit = on`), read replicas asynchronously. Promotion is
`pg_promote()`. The DB node converges its server to what the controller last
configured, in the background (an initdb or a pg_basebackup outlasts any RPC).

Guarantees, the same as the sqlite engine's:
- the server is not started before the controller has said what this node is,
  so a former primary that comes back never takes a write;
- the standby is put into `synchronous_standby_names` once it streams and has
  caught up, and marked in sync (told over `Append`, kept on its disk with
  the epoch) only once PostgreSQL reports it `sync` and it holds everything
  acknowledged so far: from then on every commit returns only once the standby
  has flushed it, until the controller changes the epoch;
- a primary that learns of a newer epoch shuts its server down at once
  (immediate shutdown): fenced, it acknowledges nothing more;
- a former primary made a follower is re-cloned from the new primary
  (pg_basebackup): its WAL may hold commits the new timeline never had. So is
  a follower that cannot stream from its primary for CLONE_AFTER_S (e.g. an
  asynchronous replica that had received WAL the promoted standby had not).

Limitations: a client that cancels a commit while it waits for the standby
(or whose statement_timeout fires then) gets PostgreSQL's own answer, a
warning that it committed locally and may not be replicated (PostgreSQL's
caveat of synchronous replication); no pg_rewind (a re-clone copies the whole database); the Data API
is refused (clients use the PostgreSQL protocol); the server runs as the
unprivileged `postgres` user when the node runs as root (PostgreSQL refuses
root), as the node's own user otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import logging
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
import psycopg

from azlab.common.errors import UnsupportedOperation
from azlab.common.members import EpochGuard
from azlab.common.rds.errors import DatabaseUnavailable
from azlab.member.v1 import member_pb2
from azlab.nodes.rds.engine import Position
from azlab.nodes.rds.server import DbNodeServicer, check_role, create_server, member_status
from azlab.rds.v1 import dbnode_pb2, dbnode_pb2_grpc

log = logging.getLogger(__name__)

PRIMARY, STANDBY, REPLICA, FENCED, UNCONFIGURED = "primary", "standby", "replica", "fenced", "unconfigured"
CONVERGE_S = 0.2
CLONE_AFTER_S = 15.0   # a follower that cannot stream this long while its primary answers is cloned again
START_TIMEOUT_S = 60.0
PROMOTE_TIMEOUT_S = 30
APPEND_TIMEOUT_S = 1.0
ARCHIVE_TIMEOUT_S = 10  # a WAL segment is archived at least this often while there are writes: the PITR horizon


def pg_bindir() -> Path | None:
    """Where PostgreSQL's programs are: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    try:
        found = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
        if (found / "postgres").exists():
            return found
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


def server_user() -> pwd.struct_passwd | None:
    """The user the server runs as when we are root (PostgreSQL refuses root); None: our own."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(os.environ.get("AZLAB_RDS_PG_USER", "postgres"))
    except KeyError:
        return None


def unavailable_reason() -> str:
    """Why the postgres engine cannot run here, or "" when it can."""
    if pg_bindir() is None:
        return "PostgreSQL's programs are not installed (Debian: postgresql; deploy/install-system-packages.sh)"
    if os.geteuid() == 0 and server_user() is None:
        return "running as root and no `postgres` user to run PostgreSQL as (it refuses root)"
    return ""


def quote(value: str) -> str:
    """A postgresql.conf string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def slot_name(member_id: str) -> str:
    return member_id.replace("-", "_")


def conninfo(host: str, port: int, user: str, password: str, dbname: str = "postgres", **extra: str) -> str:
    return psycopg.conninfo.make_conninfo(host=host, port=port, user=user, password=password, dbname=dbname, **extra)


@dataclass(frozen=True)
class Desired:
    role: str
    epoch: int
    lineage: str
    primary: str                            # a follower's: host:port of the primary's server
    followers: tuple[tuple[str, bool], ...]  # a primary's: (member_id, sync)
    parameters: tuple[tuple[str, str], ...] = ()


class PgServer:
    """One PostgreSQL data directory and its postmaster: init, clone, configure, start, stop.

    Blocking; the DB node calls it from a worker thread, one call at a time.
    """

    def __init__(self, member_dir: Path, host: str, port: int, username: str, password: str, archive_dir: Path,
                 shared_buffers_mib: int = 32, extra_settings: dict[str, str] | None = None):
        self.member_dir = member_dir
        self.pgdata = member_dir / "pgdata"
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.archive_dir = archive_dir
        self.shared_buffers_mib = shared_buffers_mib
        self.extra_settings = dict(extra_settings or {})
        self.parameters: dict[str, str] = {}  # the DB parameter group's, after azlab's own settings
        self.bindir = pg_bindir()
        self.user = server_user()
        self.process: subprocess.Popen | None = None
        self.log_path = member_dir / "postgres.log"

    # files and users
    def _run(self, *argv: str, input_text: str | None = None, timeout: float = 300) -> None:
        kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []} if self.user else {}
        done = subprocess.run([str(self.bindir / argv[0]), *argv[1:]], capture_output=True, text=True,
                              input=input_text, timeout=timeout, cwd=self.member_dir, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-500:]}")

    def own(self, path: Path) -> None:
        if self.user:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def prepare_dirs(self) -> None:
        for path, mode in ((self.member_dir, 0o711), (self.archive_dir, 0o700)):
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(mode)
            self.own(path)

    @property
    def version(self) -> str:
        try:
            return (self.pgdata / "PG_VERSION").read_text().strip() if self.pgdata.exists() else ""
        except OSError:
            return ""

    def full_version(self) -> str:
        try:
            out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True).stdout
            return out.split()[-1] if out else ""
        except OSError:
            return ""

    def write_settings(self, role: str, primary: str = "", sync_names: str = "") -> bool:
        """Write this member's settings (azlab.conf, included by postgresql.conf); True if they changed."""
        archive = self.archive_dir
        # identical re-archiving (a retry after a crash) succeeds; a different file under the same name fails
        archive_command = (f'f="{archive}/%f"; if [ -f "$f" ]; then cmp -s "%p" "$f"; '
                           f'else cp "%p" "$f.tmp" && mv "$f.tmp" "$f"; fi')
        settings = {
            "listen_addresses": quote(self.host), "port": str(self.port),
            "unix_socket_directories": quote(str(self.member_dir)),
            "shared_buffers": f"{self.shared_buffers_mib}MB",
            "wal_level": "replica", "max_wal_senders": "10", "max_replication_slots": "10",
            "hot_standby": "on", "hot_standby_feedback": "on", "wal_log_hints": "on",
            "synchronous_commit": "on", "synchronous_standby_names": quote(sync_names),
            "archive_mode": "on", "archive_command": quote(archive_command),
            "archive_timeout": str(ARCHIVE_TIMEOUT_S), "wal_keep_size": "128MB",
            "recovery_target_timeline": quote("latest"), "logging_collector": "off",
        }
        if primary:
            host, port = primary.rsplit(":", 1)
            settings["primary_conninfo"] = quote(conninfo(host, int(port), self.username, self.password,
                                                          application_name=self.member_dir.name))
            settings["primary_slot_name"] = quote(slot_name(self.member_dir.name))
        settings.update(self.extra_settings)
        settings.update({name: quote(value) for name, value in self.parameters.items()})
        text = "# written by azlab's DB node; replaced at every configuration\n" + "".join(
            f"{k} = {v}\n" for k, v in settings.items())
        path = self.pgdata / "azlab.conf"
        if path.exists() and path.read_text() == text:
            return False
        path.write_text(text)
        path.chmod(0o600)
        self.own(path)
        standby_signal = self.pgdata / "standby.signal"
        if role in (STANDBY, REPLICA) and not standby_signal.exists():
            standby_signal.touch()
            self.own(standby_signal)
        return True

    def initdb(self) -> None:
        self.prepare_dirs()
        pwfile = self.member_dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self.own(pwfile)
        try:
            self._run("initdb", "-D", str(self.pgdata), "-U", self.username, f"--pwfile={pwfile}",
                      "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        finally:
            pwfile.unlink(missing_ok=True)
        self._finish_layout()

    def _finish_layout(self) -> None:
        with (self.pgdata / "pg_hba.conf").open("a") as hba:
            # clients and followers come from any AZ's address; the socket in the member's own directory is trusted
            hba.write("host all all 0.0.0.0/0 scram-sha-256\nhost replication all 0.0.0.0/0 scram-sha-256\n"
                      "local replication all trust\n")
        conf = self.pgdata / "postgresql.conf"
        if "include_if_exists 'azlab.conf'" not in conf.read_text():
            with conf.open("a") as out:
                out.write("\ninclude_if_exists 'azlab.conf'\n")

    def clone(self, primary: str) -> None:
        """A fresh copy of the primary's data directory (pg_basebackup), ready to start as its follower."""
        self.stop(immediate=True)
        shutil.rmtree(self.pgdata, ignore_errors=True)
        self.prepare_dirs()
        host, port = primary.rsplit(":", 1)
        self._run("pg_basebackup", "-d", conninfo(host, int(port), self.username, self.password),
                  "-D", str(self.pgdata), "-X", "stream", "-c", "fast", "--no-password")
        (self.pgdata / "standby.signal").touch()
        self.own(self.pgdata / "standby.signal")

    def backup(self, path: Path) -> int:
        """A consistent base backup of this server into `path` (pg_basebackup, WAL included); its end LSN."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.own(path.parent)
        shutil.rmtree(path, ignore_errors=True)
        self._run("pg_basebackup", "-h", str(self.member_dir), "-p", str(self.port), "-U", self.username,
                  "-D", str(path), "-X", "stream", "-c", "fast", "--no-password")
        (path / "postmaster.pid").unlink(missing_ok=True)
        return self.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")[0][0]

    def archive_now(self, timeout_s: float = 60) -> int:
        """Close the current WAL segment, with a commit in it, and wait until the archive holds it.

        The commit (an xid made durable) matters: recovery to a target time
        needs a commit after the target to know it has got there."""
        with self.connect() as conn:
            conn.execute("SELECT pg_current_xact_id()")
            (segment, lsn) = conn.execute(
                "SELECT pg_walfile_name(pg_current_wal_lsn()), pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"
            ).fetchone()
            conn.execute("SELECT pg_switch_wal()")
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                (last,) = conn.execute("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").fetchone()
                if last >= segment and not last.endswith(".history"):
                    return lsn
                time.sleep(0.1)
        raise RuntimeError(f"WAL segment {segment} was not archived within {timeout_s:.0f}s")

    def restore(self, backup: Path, recovery_target_time: str = "", archive: Path | None = None) -> None:
        """A data directory from a base backup; with a target time, recovered from `archive` up to it."""
        self.stop(immediate=True)
        shutil.rmtree(self.pgdata, ignore_errors=True)
        self.prepare_dirs()
        shutil.copytree(backup, self.pgdata, symlinks=True)
        for path in [self.pgdata, *self.pgdata.rglob("*")]:
            self.own(path)
        self.pgdata.chmod(0o700)
        for name in ("standby.signal", "recovery.signal", "postmaster.pid"):
            (self.pgdata / name).unlink(missing_ok=True)
        if recovery_target_time:
            self.extra_settings.update({
                "restore_command": quote(f'cp "{archive or self.archive_dir}/%f" "%p"'),
                "recovery_target_time": quote(recovery_target_time),
                "recovery_target_inclusive": "on", "recovery_target_action": quote("promote")})
            (self.pgdata / "recovery.signal").touch()
            self.own(self.pgdata / "recovery.signal")

    # the postmaster
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        self._kill_leftover()
        kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []} if self.user else {}
        with self.log_path.open("ab") as out:
            # in the DB node's process group, so stopping or killing the node reaches the server too
            self.process = subprocess.Popen([str(self.bindir / "postgres"), "-D", str(self.pgdata)], stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.member_dir,
                                            **kwargs)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"postgres exited ({self.process.returncode}); see {self.log_path}")
            try:
                with self.connect(connect_timeout=2):
                    return
            except psycopg.OperationalError as e:
                if "starting up" not in str(e) and "No such file" not in str(e) and "Connection refused" not in str(e):
                    log.debug("waiting for postgres: %s", e)
            time.sleep(0.1)
        raise RuntimeError(f"postgres did not accept connections within {START_TIMEOUT_S:.0f}s")

    def _kill_leftover(self) -> None:
        """A postmaster left by an earlier DB node process (killed without its server) is ended first."""
        pid_file = self.pgdata / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.05)
        except (OSError, ValueError, IndexError):
            pass

    def stop(self, immediate: bool = False) -> None:
        if not self.running:
            return
        self.process.send_signal(signal.SIGQUIT if immediate else signal.SIGINT)  # immediate / fast shutdown
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def connect(self, connect_timeout: float = 5, **kwargs) -> psycopg.Connection:
        return psycopg.connect(host=str(self.member_dir), port=self.port, user=self.username, dbname="postgres",
                               autocommit=True, connect_timeout=connect_timeout, **kwargs)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()

    def reload(self) -> None:
        self.query("SELECT pg_reload_conf()")


class PgNode:
    """The DbNode contract over one PgServer: configuration with epochs, status, the sync mark."""

    def __init__(self, member_id: str, server: PgServer, instance_class: str = "", allocated_storage: int = 0,
                 restore_from: Path | None = None, restore_archive: Path | None = None, recovery_target_time: str = ""):
        self.member_id = member_id
        self.restore_from, self.restore_archive = restore_from, restore_archive  # a restored instance's first primary
        self.recovery_target_time = recovery_target_time
        self.server = server
        self.instance_class = instance_class
        self.allocated_storage = allocated_storage
        self.state_path = server.member_dir / "node.json"
        self.role = UNCONFIGURED          # what the server actually is now
        self.guard = EpochGuard(0, self._save)
        self.synced_epoch = 0
        self.lineage = ""
        self.was_primary = False          # its WAL may hold what no follower has: re-cloned before following
        self.desired: Desired | None = None
        self.sync_names = ""
        self.in_sync: dict[str, bool] = {}
        self.in_sync_epoch = 0
        self.followers: list[dbnode_pb2.FollowerStatus] = []
        self.lsn = 0
        self.version = ""
        self.not_streaming_since: float | None = None
        self._wake = asyncio.Event()
        self._stubs: dict[str, tuple[grpc.aio.Channel, dbnode_pb2_grpc.DbNodeStub]] = {}
        self.follower_addresses: dict[str, str] = {}  # a primary's followers' DbNode addresses, for the sync mark
        self.applied_parameters: tuple[tuple[str, str], ...] = ()

    async def start(self) -> None:
        await asyncio.to_thread(self.server.prepare_dirs)
        if self.state_path.exists():
            state = json.loads(self.state_path.read_text())
            self.guard = EpochGuard(state["epoch"], self._save)
            self.synced_epoch = state["synced_epoch"]
            self.lineage, self.was_primary = state["lineage"], state["was_primary"]
        self.version = await asyncio.to_thread(self.server.full_version)

    @property
    def epoch(self) -> int:
        return self.guard.epoch

    def _save(self, epoch: int | None = None) -> None:
        """The node's state, with `epoch` when the guard is adopting it (else the one it holds)."""
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"epoch": self.epoch if epoch is None else epoch, "synced_epoch": self.synced_epoch,
                                   "lineage": self.lineage, "was_primary": self.was_primary}))
        os.replace(tmp, self.state_path)

    # configuration, from the controller
    async def configure(self, epoch: int, settings: dbnode_pb2.DbNodeSettings) -> None:
        check_role(settings.role)
        if settings.lineage != self.lineage:
            if self.lineage and settings.role != PRIMARY:
                self.was_primary = True  # another lineage's data: never followed, always cloned
            self.lineage, self.synced_epoch = settings.lineage, 0
            self.guard = EpochGuard(-1, self._save)  # a lineage of its own: epochs of its own
        self.guard.check(epoch)
        if settings.role == PRIMARY and self.role == PRIMARY:
            self.guard.observe(epoch)  # still the primary, in a new epoch (its standby lost or replaced): not fenced
        else:
            await self._adopt_epoch(epoch)
        self.follower_addresses = {f.member_id: f.address for f in settings.followers}
        self.desired = Desired(settings.role, epoch, settings.lineage, settings.primary,
                               tuple((f.member_id, f.sync) for f in settings.followers),
                               tuple(sorted(settings.parameters.items())))
        self._save()
        self._wake.set()

    async def _adopt_epoch(self, epoch: int) -> None:
        """A newer epoch (durable first) shuts this node's server down if it was primary."""
        if self.guard.observe(epoch) and self.role == PRIMARY:
            log.warning("fenced: epoch %d is newer than this primary's; shutting the server down", epoch)
            self.role = FENCED
            await asyncio.to_thread(self.server.stop, True)

    # the follower's side of the sync mark
    async def append(self, request: dbnode_pb2.AppendRequest) -> dbnode_pb2.AppendResponse:
        if request.lineage != self.lineage:
            return self._answer(False, refused=True)
        if request.epoch < self.epoch:
            return self._answer(False)
        await self._adopt_epoch(request.epoch)
        if request.sync and self.role == STANDBY and self.synced_epoch != request.epoch:
            self.synced_epoch = request.epoch
            self._save()
            log.info("in sync with primary %s at epoch %d", request.primary_id, self.epoch)
        return self._answer(True)

    def _answer(self, ok: bool, refused: bool = False) -> dbnode_pb2.AppendResponse:
        return dbnode_pb2.AppendResponse(ok=ok, epoch=self.epoch, lsn=self.lsn, refused=refused)

    def status(self) -> member_pb2.MemberStatus:
        return member_status(self.member_id, self.role, self.epoch, Position(self.lsn, 0), dbnode_pb2.DbNodeDetail(
            synced_epoch=self.synced_epoch, instance_class=self.instance_class,
            allocated_storage=self.allocated_storage, lineage=self.lineage,
            followers=self.followers if self.role == PRIMARY else [], engine_version=self.version,
            parameters=dict(self.applied_parameters)))

    # converging the server to the configuration, in the background
    async def run(self) -> None:
        while True:
            try:
                await self.converge()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the next round tries again; the controller sees the role not reached
                log.warning("converging: %s", e)
                await asyncio.sleep(1.0)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), CONVERGE_S)
            except asyncio.TimeoutError:
                pass

    async def converge(self) -> None:
        desired = self.desired
        if desired is None:
            return
        if self.role == FENCED and desired.epoch == self.epoch and desired.role == PRIMARY:
            return  # a stale primary configuration: wait for the controller's next word
        if desired.role == PRIMARY:
            await self._be_primary(desired)
        else:
            await self._follow(desired)
        if self.role == desired.role and self.applied_parameters != desired.parameters:
            await asyncio.to_thread(self._apply_parameters, desired)

    def _apply_parameters(self, desired: Desired) -> None:
        """Reload; restart the server when PostgreSQL says a changed setting needs it (pg_settings.context)."""
        server = self.server
        server.parameters = dict(desired.parameters)
        server.write_settings(desired.role, desired.primary, self.sync_names)
        server.reload()
        time.sleep(0.2)  # the postmaster re-reads its files on SIGHUP, a moment after pg_reload_conf returns
        if server.query("SELECT count(*) FROM pg_settings WHERE pending_restart")[0][0]:
            log.info("restarting the server: a changed parameter applies only at a restart")
            server.stop()
            server.start()
        self.applied_parameters = desired.parameters

    async def _be_primary(self, desired: Desired) -> None:
        server = self.server
        if not server.pgdata.exists():
            if self.restore_from:
                await asyncio.to_thread(server.restore, self.restore_from, self.recovery_target_time,
                                        self.restore_archive)
            else:
                await asyncio.to_thread(server.initdb)
        if not server.running:
            await asyncio.to_thread(server.write_settings, PRIMARY, "", self.sync_names)
            (server.pgdata / "standby.signal").unlink(missing_ok=True)
            await asyncio.to_thread(server.start)
        in_recovery = (await asyncio.to_thread(server.query, "SELECT pg_is_in_recovery()"))[0][0]
        if in_recovery and (server.pgdata / "recovery.signal").exists():
            return  # a point-in-time restore on its way to its target: it promotes itself there
        if server.extra_settings.pop("recovery_target_time", None):  # recovered: the target is history
            server.extra_settings.clear()
            await asyncio.to_thread(server.write_settings, PRIMARY, "", self.sync_names)
            await asyncio.to_thread(server.reload)
        if in_recovery:
            # commits wait for nobody until a standby has caught up with this new primary
            self.sync_names, self.in_sync = "", {}
            await asyncio.to_thread(server.write_settings, PRIMARY, "", "")
            (server.pgdata / "standby.signal").unlink(missing_ok=True)
            await asyncio.to_thread(server.reload)
            await asyncio.to_thread(server.query, "SELECT pg_promote(true, %s)", (PROMOTE_TIMEOUT_S,))
            log.info("promoted to primary at epoch %d", self.epoch)
        if not self.was_primary:
            self.was_primary = True
            self._save()
        self.role = PRIMARY
        await self._lead(desired)

    async def _lead(self, desired: Desired) -> None:
        """Slots for the followers, the sync standby once caught up, and what pg_stat_replication says."""
        server = self.server
        if self.in_sync_epoch != self.epoch:
            # a new epoch (the standby lost, or replaced): it is in sync again only once marked so in this one
            self.in_sync, self.in_sync_epoch = {}, self.epoch
        wanted = {slot_name(m) for m, _ in desired.followers}
        slots = {name for (name,) in await asyncio.to_thread(server.query, "SELECT slot_name FROM pg_replication_slots")}
        for name in wanted - slots:
            await asyncio.to_thread(server.query, "SELECT pg_create_physical_replication_slot(%s, true)", (name,))
        for name in slots - wanted:
            await asyncio.to_thread(server.query, "SELECT pg_drop_replication_slot(%s) FROM pg_replication_slots "
                                    "WHERE slot_name = %s AND NOT active", (name, name))
        rows = await asyncio.to_thread(server.query, """
            SELECT application_name, state, sync_state, pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)::bigint,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,
                   coalesce(extract(epoch FROM replay_lag), 0)::float8, pg_wal_lsn_diff(replay_lsn, '0/0')::bigint
            FROM pg_stat_replication""")
        (self.lsn,) = (await asyncio.to_thread(server.query, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"))[0]
        seen = {r[0]: r for r in rows}
        sync_member = next((m for m, sync in desired.followers if sync), "")
        if self.in_sync and sync_member not in self.in_sync:
            self.in_sync = {}
        wanted_names = f'"{sync_member}"' if sync_member and (sync_member in self.in_sync or (
            sync_member in seen and seen[sync_member][1] == "streaming" and seen[sync_member][3] <= 0)) else ""
        if wanted_names != self.sync_names:
            self.sync_names = wanted_names
            await asyncio.to_thread(server.write_settings, PRIMARY, "", wanted_names)
            await asyncio.to_thread(server.reload)
        if sync_member and sync_member not in self.in_sync and sync_member in seen:
            _, state, sync_state, flush_behind, *_ = seen[sync_member]
            # only once PostgreSQL waits for it, and it holds all that was acknowledged before
            if state == "streaming" and sync_state == "sync" and flush_behind <= 0:
                if await self._tell_in_sync(sync_member, desired):
                    self.in_sync[sync_member] = True
                    log.info("standby %s in sync at epoch %d", sync_member, self.epoch)
        self.followers = [
            dbnode_pb2.FollowerStatus(
                member_id=m, acked_lsn=seen[m][6] if m in seen and seen[m][6] is not None else 0,
                lag_lsns=max(0, seen[m][4] or 0) if m in seen else 0, lag_seconds=seen[m][5] if m in seen else 0.0,
                in_sync=self.in_sync.get(m, False), sync=sync,
                state="streaming" if m in seen and seen[m][1] == "streaming" else (seen[m][1] if m in seen else "unreachable"))
            for m, sync in desired.followers]

    async def _tell_in_sync(self, member_id: str, desired: Desired) -> bool:
        address = self.follower_addresses.get(member_id, "")
        if not address:
            return False
        if member_id not in self._stubs:
            channel = grpc.aio.insecure_channel(address)
            self._stubs[member_id] = (channel, dbnode_pb2_grpc.DbNodeStub(channel))
        try:
            answer = await self._stubs[member_id][1].Append(dbnode_pb2.AppendRequest(
                epoch=self.epoch, lineage=self.lineage, primary_id=self.member_id, sync=True), timeout=APPEND_TIMEOUT_S)
        except grpc.aio.AioRpcError:
            return False
        if answer.epoch > self.epoch:
            await self._adopt_epoch(answer.epoch)
            return False
        return answer.ok

    async def _follow(self, desired: Desired) -> None:
        server = self.server
        if not desired.primary:
            return
        if self.was_primary or not server.pgdata.exists() or self._stuck():
            log.info("cloning from %s", desired.primary)
            self.role = UNCONFIGURED
            await asyncio.to_thread(server.clone, desired.primary)
            self.was_primary, self.synced_epoch, self.not_streaming_since = False, 0, None
            self._save()
        changed = await asyncio.to_thread(server.write_settings, desired.role, desired.primary)
        if not server.running:
            await asyncio.to_thread(server.start)
        elif changed:
            await asyncio.to_thread(server.reload)  # primary_conninfo is reloadable: the WAL receiver reconnects
        (in_recovery, lsn, streaming) = (await asyncio.to_thread(server.query, """
            SELECT pg_is_in_recovery(), coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), 0)::bigint,
                   (SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming')"""))[0]
        if not in_recovery:
            raise RuntimeError("the server is not in recovery but should follow; cloning it again")
        self.lsn = lsn
        self.not_streaming_since = None if streaming else (self.not_streaming_since or time.monotonic())
        if self.role != desired.role and desired.role == REPLICA:
            self.synced_epoch = 0
        self.role = desired.role

    def _stuck(self) -> bool:
        if self.not_streaming_since is None or time.monotonic() - self.not_streaming_since < CLONE_AFTER_S:
            return False
        host, port = self.desired.primary.rsplit(":", 1)
        try:  # only when the primary answers: else there is nothing better to clone from
            with psycopg.connect(conninfo(host, int(port), self.server.username, self.server.password),
                                 connect_timeout=1):
                return True
        except psycopg.Error:
            return False


class PgNodeServicer(DbNodeServicer):
    """The sqlite DB node's DbNode contract (Append is its own; the node contract is served beside it); the Data
    API and snapshot installs are the sqlite engine's alone, backups and archives PostgreSQL's."""

    def _data_api(self):
        raise UnsupportedOperation("the Data API serves the sqlite engine; connect to a postgres DB instance's "
                                   "endpoint with a PostgreSQL client (psql, psycopg)")

    async def ExecuteStatement(self, request, context):
        self._data_api()

    async def BatchExecuteStatement(self, request, context):
        self._data_api()

    async def BeginTransaction(self, request, context):
        self._data_api()

    async def CommitTransaction(self, request, context):
        self._data_api()

    async def RollbackTransaction(self, request, context):
        self._data_api()

    async def InstallSnapshot(self, request_iterator, context):
        self._data_api()

    async def Backup(self, request, context):
        self._require_serving()
        lsn = await asyncio.to_thread(self.node.server.backup, Path(request.path))
        return dbnode_pb2.BackupResponse(lsn=lsn, time=time.time())

    async def ArchiveLog(self, request, context):
        if self.node.role != PRIMARY:
            raise DatabaseUnavailable(f"this DB node is {self.node.role}: only a primary archives its WAL")
        lsn = await asyncio.to_thread(self.node.server.archive_now)
        return dbnode_pb2.ArchiveLogResponse(lsn=lsn, time=time.time())

    def _require_serving(self) -> None:
        if self.node.role not in (PRIMARY, STANDBY, REPLICA) or not self.node.server.running:
            raise DatabaseUnavailable(f"this DB node is {self.node.role}; retry")


async def serve(args: argparse.Namespace) -> None:
    host = args.address.rsplit(":", 1)[0]
    server = PgServer(args.data_dir, host, args.pg_port, os.environ["AZLAB_RDS_MASTER_USERNAME"],
                      os.environ["AZLAB_RDS_MASTER_PASSWORD"], args.archive_dir, args.shared_buffers_mib)
    node = PgNode(args.member_id, server, args.instance_class, args.allocated_storage, args.restore_from,
                  args.restore_archive, args.recovery_target_time)
    await node.start()
    grpc_server, health_servicer = await create_server(PgNodeServicer(node), args.address)
    log.info("postgres DB node %s serving on %s (server on port %d)", args.member_id, args.address, args.pg_port)
    converging = asyncio.get_running_loop().create_task(node.run())
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stopping.set)
    await stopping.wait()
    await health_servicer.enter_graceful_shutdown()
    converging.cancel()
    await grpc_server.stop(grace=1.0)
    await asyncio.to_thread(server.stop)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="An RDS DB node of the postgres engine: one member of a DB instance")
    parser.add_argument("--member-id", required=True)
    parser.add_argument("--address", required=True, help="host:port of the DbNode gRPC server")
    parser.add_argument("--pg-port", required=True, type=int, help="the PostgreSQL server's port on the same host")
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--archive-dir", required=True, type=Path, help="the instance's WAL archive, in the region")
    parser.add_argument("--instance-class", default="")
    parser.add_argument("--shared-buffers-mib", type=int, default=32, help="from the DB instance class")
    parser.add_argument("--allocated-storage", type=int, default=20)
    parser.add_argument("--restore-from", type=Path, help="a base backup to start from, when there is no data yet")
    parser.add_argument("--restore-archive", type=Path, help="the WAL archive to recover from")
    parser.add_argument("--recovery-target-time", default="", help="recover up to this timestamptz, then promote")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
