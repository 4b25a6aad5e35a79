import asyncio
import os
import sys

from azlab.nodes.supervisor import ProcessSpec, ProcessSupervisor


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_start_is_idempotent_and_stop_reaches_grandchildren(tmp_path):
    async def scenario():
        supervisor = ProcessSupervisor(tmp_path)
        script = "import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); print(p.pid, flush=True); time.sleep(300)"
        spec = ProcessSpec("web", (sys.executable, "-c", script), env={"GREETING": "hi"})
        first = await supervisor.start(spec)
        again = await supervisor.start(spec)
        assert again.pid == first.pid and first.running
        log = tmp_path / "web.log"
        for _ in range(100):
            if log.read_text().strip():
                break
            await asyncio.sleep(0.05)
        grandchild = int(log.read_text().split()[0])
        stopped = await supervisor.stop("web", grace_s=2)
        assert not stopped.running and stopped.returncode is not None
        await asyncio.sleep(0.2)
        assert not pid_alive(grandchild)
        assert await supervisor.stop("nope") is None

    asyncio.run(scenario())


def test_children_see_their_environment(tmp_path):
    async def scenario():
        supervisor = ProcessSupervisor(tmp_path)
        info = await supervisor.start(ProcessSpec("env", ("sh", "-c", "echo $GREETING"), env={"GREETING": "hello"}))
        for _ in range(100):
            if not supervisor.describe()[0].running:
                break
            await asyncio.sleep(0.05)
        assert (tmp_path / "env.log").read_text() == "hello\n"
        assert supervisor.describe()[0].returncode == 0 and info.name == "env"

    asyncio.run(scenario())
