"""Start one bubblewrap sandbox, hold it to its limits, and leave nothing behind.

The sequence for every step (compile or run):

1. ``bwrap`` starts with ``--block-fd`` (as the sandbox's unprivileged host user
   when the runner runs as root): it builds the namespaces and mounts, writes
   the host pid of the sandbox's init on ``--info-fd`` and waits.
2. The supervisor opens a pidfd on that init (no pid-reuse race) and moves it
   into the run's cgroups; the program, forked by init after the release,
   inherits them. The program is started through util-linux ``prlimit``, which
   lowers its own rlimits inside the sandbox and then executes the program: the
   limits apply from the program's first instruction, and setting them needs no
   privilege over a process of another user (the runner holds no
   ``CAP_SYS_RESOURCE`` in a container).
3. The supervisor releases the block and polls stdout, stderr and a pidfd of the
   bwrap process until it exits, the wall-clock deadline passes, the CPU budget
   (cgroup accounting) is spent or an output stream overflows its cap.
4. Whatever happened, it SIGKILLs the sandbox's init: the kernel then kills every
   process of the pid namespace, double-forked daemons included. The cgroup is
   emptied and removed.

The hosting process is made a child subreaper so that the sandbox's init, when
bwrap exits first, is reparented here and its resource usage (which includes
the program's) can be collected with ``wait4``.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import logging
import os
import resource
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field

from extracted.runner.sandbox.cgroups import RunGroup

logger = logging.getLogger(__name__)

PR_SET_CHILD_SUBREAPER = 36
CHUNK = 65536
SETUP_TIMEOUT = 10.0
DRAIN_TIMEOUT = 2.0


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux >= 3.4)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


#: util-linux ``prlimit`` option of each limit.
PRLIMIT_OPTIONS = {
    resource.RLIMIT_CPU: "--cpu",
    resource.RLIMIT_AS: "--as",
    resource.RLIMIT_FSIZE: "--fsize",
    resource.RLIMIT_NPROC: "--nproc",
    resource.RLIMIT_NOFILE: "--nofile",
    resource.RLIMIT_STACK: "--stack",
    resource.RLIMIT_CORE: "--core",
    resource.RLIMIT_MEMLOCK: "--memlock",
    resource.RLIMIT_MSGQUEUE: "--msgqueue",
}


@dataclass(frozen=True)
class Rlimits:
    cpu_seconds: int
    address_space: int | None
    file_size: int
    tasks: int
    open_files: int
    stack: int

    def items(self) -> list[tuple[int, int, int]]:
        infinity = resource.RLIM_INFINITY
        address = self.address_space if self.address_space is not None else infinity
        return [
            (resource.RLIMIT_CPU, self.cpu_seconds, self.cpu_seconds + 1),
            (resource.RLIMIT_AS, address, address),
            (resource.RLIMIT_FSIZE, self.file_size, self.file_size),
            (resource.RLIMIT_NPROC, self.tasks, self.tasks),
            (resource.RLIMIT_NOFILE, self.open_files, self.open_files),
            (resource.RLIMIT_STACK, self.stack, self.stack),
            (resource.RLIMIT_CORE, 0, 0),
            (resource.RLIMIT_MEMLOCK, 0, 0),
            (resource.RLIMIT_MSGQUEUE, 0, 0),
        ]

    def prlimit_argv(self, prlimit: str) -> list[str]:
        """``prlimit`` setting these limits on itself, then executing what follows.

        A process may only lower its hard limits: each is capped at this
        process's own, which bwrap and the sandbox inherit.
        """
        infinity = resource.RLIM_INFINITY
        argv = [prlimit]
        for which, soft, hard in self.items():
            _, current_hard = resource.getrlimit(which)
            if current_hard != infinity:
                hard = min(hard, current_hard) if hard != infinity else current_hard
                soft = min(soft, hard) if soft != infinity else hard
            value = ":".join("unlimited" if v == infinity else str(v) for v in (soft, hard))
            argv.append(f"{PRLIMIT_OPTIONS[which]}={value}")
        return [*argv, "--"]


@dataclass
class Job:
    bwrap: str
    options: list[str]  # bwrap options; fd numbers below are substituted in
    argv: list[str]
    stdin: bytes
    seccomp: bytes | None
    rlimits: Rlimits
    cpu_seconds: float
    wall_seconds: float
    output_cap: int
    prlimit: str  # util-linux prlimit, reachable inside the sandbox
    cgroup: RunGroup | None = None
    #: Host (uid, gid) bwrap is started as (a runner running as root); None: this process's.
    user: tuple[int, int] | None = None


@dataclass
class Outcome:
    exit_code: int | None = None
    signal: int | None = None
    killed_for: str | None = None  # "wall", "cpu", "output"
    oom_killed: bool = False
    tasks_exhausted: bool = False
    stdout: bytes = b""
    stderr: bytes = b""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    cpu_ms: int = 0
    wall_ms: int = 0
    memory_kb: int = 0
    internal_error: str | None = None
    leftovers: list[int] = field(default_factory=list)


def _memfd(name: str, data: bytes) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read_info(fd: int, deadline: float) -> dict | None:
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


def _kill_pidfd(pidfd: int | None) -> None:
    if pidfd is None:
        return
    with contextlib.suppress(ProcessLookupError, OSError):
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)


def _reap(pid: int, *, block: bool) -> resource.struct_rusage | None:
    """wait4 ``pid`` if it is (still, or by reparenting) our child; its rusage or None."""
    try:
        got, _status, usage = os.wait4(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return None
    return usage if got == pid else None


def _as_user(user: tuple[int, int] | None) -> dict:
    """``Popen`` arguments that start the child as ``user`` (no supplementary groups)."""
    if user is None:
        return {}
    uid, gid = user
    return {"user": uid, "group": gid, "extra_groups": []}


def execute(job: Job) -> Outcome:
    """Run ``job`` to the end under its limits; never raises for what the program does."""
    outcome = Outcome()
    fds: list[int] = []
    proc: subprocess.Popen | None = None
    init_pidfd = None
    init_pid = None
    try:
        args_options = list(job.options)
        info_r, info_w = os.pipe()
        block_r, block_w = os.pipe()
        fds += [info_r, info_w, block_r, block_w]
        stdin_fd = _memfd("stdin", job.stdin)
        fds.append(stdin_fd)
        pass_fds = [info_w, block_r]
        if job.seccomp is not None:
            seccomp_fd = _memfd("seccomp", job.seccomp)
            fds.append(seccomp_fd)
            pass_fds.append(seccomp_fd)
            args_options += ["--seccomp", str(seccomp_fd)]
        args_options += ["--info-fd", str(info_w), "--block-fd", str(block_r)]
        args_fd = _memfd("args", b"".join(a.encode() + b"\0" for a in args_options))
        fds.append(args_fd)
        pass_fds.append(args_fd)

        proc = subprocess.Popen(
            [job.bwrap, "--args", str(args_fd), "--", *job.rlimits.prlimit_argv(job.prlimit), *job.argv],
            stdin=stdin_fd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=pass_fds,
            env={"PATH": "/usr/bin:/bin"},
            close_fds=True,
            start_new_session=True,
            **_as_user(job.user),
        )
        for fd in (info_w, block_r, stdin_fd, args_fd):
            os.close(fd)
            fds.remove(fd)
        if job.seccomp is not None:
            os.close(seccomp_fd)
            fds.remove(seccomp_fd)

        info = _read_info(info_r, time.monotonic() + SETUP_TIMEOUT)
        if not info or "child-pid" not in info:
            _kill(proc)
            err = proc.stderr.read(CHUNK).decode(errors="replace").strip()
            outcome.internal_error = f"sandbox setup failed: {err or 'no information from bwrap'}"
            return outcome
        init_pid = int(info["child-pid"])
        init_pidfd = os.pidfd_open(init_pid)
        if job.cgroup is not None:
            job.cgroup.add(init_pid)

        started = time.monotonic()
        os.write(block_w, b"1")
        os.close(block_w)
        fds.remove(block_w)
        _supervise(job, proc, init_pidfd, outcome, started)
    except OSError as exc:
        logger.exception("sandbox supervision failed")
        outcome.internal_error = f"sandbox supervision failed: {exc}"
    finally:
        _finish(job, proc, init_pid, init_pidfd, outcome)
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
    return outcome


def _supervise(job: Job, proc: subprocess.Popen, init_pidfd: int, outcome: Outcome, started: float) -> None:
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    os.set_blocking(out_fd, False)
    os.set_blocking(err_fd, False)
    buffers = {out_fd: bytearray(), err_fd: bytearray()}
    truncated = {out_fd: False, err_fd: False}
    bwrap_pidfd = os.pidfd_open(proc.pid)
    poller = select.poll()
    for fd in (out_fd, err_fd, bwrap_pidfd):
        poller.register(fd, select.POLLIN)
    open_streams = {out_fd, err_fd}
    deadline = started + job.wall_seconds
    cpu_ns_limit = int(job.cpu_seconds * 1e9)
    exited = False
    try:
        while not exited:
            now = time.monotonic()
            if now >= deadline:
                outcome.killed_for = "wall"
                break
            wait = deadline - now
            if job.cgroup is not None:
                wait = min(wait, 0.05)
            for fd, _event in poller.poll(max(1, int(wait * 1000))):
                if fd == bwrap_pidfd:
                    exited = True
                    continue
                if not _read_into(fd, buffers[fd], job.output_cap, truncated, open_streams, poller):
                    outcome.killed_for = outcome.killed_for or "output"
            if outcome.killed_for:
                break
            if job.cgroup is not None:
                used = job.cgroup.cpu_ns()
                if used is not None and used > cpu_ns_limit:
                    outcome.killed_for = "cpu"
                    break
        outcome.wall_ms = int((time.monotonic() - started) * 1000)
        if outcome.killed_for:
            _kill(proc)
        # Once bwrap is gone (or condemned), stop the rest of the sandbox: its pipes then close.
        _kill_pidfd(init_pidfd)
        drain_deadline = time.monotonic() + DRAIN_TIMEOUT
        while open_streams and time.monotonic() < drain_deadline:
            for fd, _event in poller.poll(100):
                if fd in open_streams:
                    _read_into(fd, buffers[fd], job.output_cap, truncated, open_streams, poller)
    finally:
        os.close(bwrap_pidfd)
    outcome.stdout = bytes(buffers[out_fd])
    outcome.stderr = bytes(buffers[err_fd])
    outcome.stdout_truncated = truncated[out_fd]
    outcome.stderr_truncated = truncated[err_fd]


def _read_into(fd, buffer, cap, truncated, open_streams, poller) -> bool:
    """Read what is available; False when the stream went over ``cap``."""
    try:
        chunk = os.read(fd, CHUNK)
    except BlockingIOError:
        return True
    except OSError as exc:
        if exc.errno != errno.EIO:
            raise
        chunk = b""
    if not chunk:
        open_streams.discard(fd)
        poller.unregister(fd)
        return True
    room = cap - len(buffer)
    if len(chunk) > room:
        buffer += chunk[: max(room, 0)]
        truncated[fd] = True
        return False
    buffer += chunk
    return True


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def _finish(job: Job, proc, init_pid, init_pidfd, outcome: Outcome) -> None:
    """Kill the sandbox's init (hence its pid namespace), reap, measure, remove the cgroup."""
    _kill_pidfd(init_pidfd)
    usages = []
    init_usage = None
    if proc is not None:
        if proc.returncode is None:
            try:
                _pid, status, usage = os.wait4(proc.pid, 0)
                usages.append(usage)
                proc.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                proc.returncode = -1
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
    if init_pid is not None:
        init_usage = _reap(init_pid, block=True)
        if init_usage is not None:
            usages.append(init_usage)
        elif init_pidfd is not None:
            # Reaped by bwrap itself: it is gone once its pidfd reports so.
            select.select([init_pidfd], [], [], 5.0)
    if init_pidfd is not None:
        os.close(init_pidfd)

    if usages:
        # bwrap's own peak includes the pages of this process it was forked from, so
        # the sandbox init's figure (which covers the program) is preferred.
        outcome.memory_kb = (init_usage or usages[0]).ru_maxrss
        outcome.cpu_ms = int(sum(u.ru_utime + u.ru_stime for u in usages) * 1000)
    if proc is not None and outcome.internal_error is None and outcome.killed_for is None:
        code = proc.returncode
        if code is not None and code >= 0:
            if 128 < code <= 128 + 64:
                outcome.signal = code - 128
            else:
                outcome.exit_code = code
    if job.cgroup is not None:
        cpu_ns = job.cgroup.cpu_ns()
        if cpu_ns is not None:
            outcome.cpu_ms = cpu_ns // 1_000_000
        peak = job.cgroup.memory_peak_bytes()
        if peak is not None:
            outcome.memory_kb = peak // 1024
        outcome.oom_killed = job.cgroup.oom_killed()
        outcome.tasks_exhausted = job.cgroup.pids_exhausted()
        outcome.leftovers = job.cgroup.pids()
        if not job.cgroup.destroy():
            outcome.internal_error = outcome.internal_error or "sandbox processes could not be removed"
