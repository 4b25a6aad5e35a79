"""A TCP echo server a test starts on an AZ node through its agent.

With --orphan PIDFILE it also leaves a detached grandchild behind (new
session, parent gone), the hardest kind of process for a kill to find.
"""

import argparse
import asyncio
import os
import time


def leave_orphan(pidfile: str) -> None:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open(pidfile, "w") as f:
                f.write(str(os.getpid()))
            time.sleep(600)
        os._exit(0)


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(4096):
        writer.write(data)
        await writer.drain()
    writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("port", type=int)
    parser.add_argument("--orphan")
    args = parser.parse_args()
    if args.orphan:
        leave_orphan(args.orphan)
    server = await asyncio.start_server(echo, args.address, args.port)
    async with server:
        await asyncio.wait_for(server.serve_forever(), timeout=600)  # bounded: a test never outlives this


if __name__ == "__main__":
    asyncio.run(main())
