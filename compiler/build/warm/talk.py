"""Requests with a short answer to the project's warm worker (status, stop), shared by the
builds that use it (client.py) and the starter that checks for one before starting another
(server.main): who answers, who is stuck, and stopping or killing them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compiler.build.warm import folder as wf

log = logging.getLogger(__name__)

# Seconds for an answer (a status, a stop, a build's hello). The worker answers at once
# unless it renders another build's job (a hello then waits for it: waiting keeps that
# build warm) or is stuck; generous, as a loaded machine can starve a process for seconds.
CONNECT_WAIT = 10.0


class Stuck(TimeoutError):
    """The worker took the connection (the kernel does that) but did not answer a status or
    stop, which it answers at once even while rendering: it is stuck (stopped, hung)."""

    def __init__(self, pid: int, wait: float) -> None:
        super().__init__(f"warm worker {pid} did not answer within {wait:g} s")
        self.pid = pid


def open_socket(fd: int, wait: float) -> tuple[socket.socket, int]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(wait)
    try:
        sock.connect(wf.socket_path(fd))
        return sock, wf.check_peer(sock)
    except BaseException:
        sock.close()
        raise


def request(fd: int, header: dict[str, Any], wait: float | None = None) -> dict[str, Any]:
    """One request that has a short answer (status, stop); Stuck when the worker does not
    answer in `wait` seconds (CONNECT_WAIT), another OSError when there is none."""
    wait = CONNECT_WAIT if wait is None else wait
    sock, pid = open_socket(fd, wait)
    with sock:
        try:
            wf.send(sock, header)
            reply, _ = wf.receive(sock)
        except TimeoutError as err:
            raise Stuck(pid, wait) from err
        return reply


def answering(fd: int, identity: str, slow: Callable[[], None] = lambda: None
              ) -> dict[str, Any] | None:
    """The status of the worker if it runs this identity; else None, once no other is left
    (one of another identity is stopped, a stuck one killed; slow() is called first)."""
    try:
        status = request(fd, {"op": "status"})
        if status.get("identity") == identity:
            return status
        slow()
        log.info("warm worker %s runs other code or libraries: replacing it", status.get("pid"))
        request(fd, {"op": "stop"})
        wait_gone(status.get("pid"))  # it removes its socket file on the way out
    except Stuck as err:
        slow()
        replace(err)
    except (FileNotFoundError, ConnectionError):
        pass  # none yet, or a stale socket of one that is gone (or going)
    return None


def replace(stuck: Stuck) -> None:
    """A stuck worker would cost every build a wait: kill it (a new one is started)."""
    log.warning("%s: killing it, a new one is started", stuck)
    kill(stuck.pid)
    wait_gone(stuck.pid)


def wait_gone(pid: object, wait: float = 5.0) -> None:
    deadline = time.monotonic() + wait
    while isinstance(pid, int) and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        except (ProcessLookupError, FileNotFoundError):
            return
        if state.rsplit(")", 1)[1].split()[0] == "Z":  # killed, not reaped yet: gone
            return
        time.sleep(0.01)


def kill(pid: int) -> None:
    """SIGKILL the worker `pid` (SO_PEERCRED's), if that process still is a warm worker."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return
    if b"compiler.build.warm.server" not in command:
        log.warning("process %s is not a warm worker: not killed", pid)
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
