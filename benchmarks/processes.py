"""Processes on this machine, from /proc: free ports, who works in a folder, waiting for and killing them.

Shared by the browser tests (tests/browser/harness.py) and the classroom load benchmark, which both start
servers that start more processes and must leave none behind. A process is named by its identity
``(pid, start time)``, which a reused pid cannot fake. Standard library only.
"""

import contextlib
import os
import signal
import socket
import time
from pathlib import Path


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_closed(port):
    with socket.socket() as probe:
        probe.settimeout(2)
        try:
            probe.connect(("127.0.0.1", port))
        except (ConnectionRefusedError, TimeoutError):
            return True
    return False


def _stat(pid):
    """(parent pid, start time, state) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[19]), fields[0]


def identity(pid):
    """(pid, start time): a process's id that a reused pid cannot fake."""
    stat = _stat(pid)
    return None if stat is None else (pid, stat[1])


def is_alive(process_id):
    pid, started = process_id
    stat = _stat(pid)
    return stat is not None and stat[1] == started and stat[2] != "Z"


def all_pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def descendants(pid):
    """Identities of every live process below ``pid``."""
    children = {}
    for other in all_pids():
        stat = _stat(other)
        if stat is not None:
            children.setdefault(stat[0], []).append((other, stat[1]))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child[0])
    return found


def command_line(pid):
    """The command line of a process, arguments joined by spaces; None when it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None


def processes_using(folder):
    """Identities of live processes (other than this one) whose working directory or command line is in ``folder``."""
    folder, found = str(folder), set()
    for pid in all_pids():
        if pid == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        command = command_line(pid) or ""
        if cwd == folder or cwd.startswith(folder + os.sep) or folder in command:
            process_id = identity(pid)
            if process_id is not None and is_alive(process_id):
                found.add(process_id)
    return found


def wait_until_gone(process_ids, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(is_alive(process_id) for process_id in process_ids):
            return set()
        time.sleep(0.1)
    return {process_id for process_id in process_ids if is_alive(process_id)}


def kill(process_ids):
    """SIGKILL each still-live process, by its own id."""
    for process_id in process_ids:
        if is_alive(process_id):
            with contextlib.suppress(ProcessLookupError):
                os.kill(process_id[0], signal.SIGKILL)


def describe(process_ids):
    lines = []
    for pid, _ in sorted(process_ids):
        lines.append(f"pid {pid}: {(command_line(pid) or '?')[:160]}")
    return "; ".join(lines)
