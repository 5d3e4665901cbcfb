"""Memory, task and CPU accounting of each sandbox with cgroups (v1 or v2), where the host allows.

At start the library finds the cgroup the process lives in (``/proc/self/cgroup``)
and the hierarchies mounted (``/proc/self/mountinfo``), then tries to create a
directory of its own below it for each controller it needs (memory and pids; CPU
accounting optional). When that is not possible (read-only ``/sys/fs/cgroup``,
no delegation) the sandbox falls back to rlimits only and says so in its report.
Each run gets a child group with ``memory`` (swap included) and ``pids`` limits;
after the run its tasks are killed and the group removed.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

PREFIX = "polycode-runner"


def _read(path: Path) -> str:
    return path.read_text().strip()


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


@dataclass
class Mounts:
    v1: dict[str, Path] = field(default_factory=dict)  # controller -> mount point
    v2: Path | None = None


def parse_mountinfo(text: str) -> Mounts:
    mounts = Mounts()
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields = left.split()
        fstype, _source, options = right.split()[:3]
        mount_point = Path(fields[4])
        if fstype == "cgroup2":
            mounts.v2 = mounts.v2 or mount_point
        elif fstype == "cgroup":
            for option in options.split(","):
                if option in ("memory", "pids", "cpuacct", "cpu"):
                    mounts.v1.setdefault(option, mount_point)
    return mounts


def parse_proc_cgroup(text: str) -> tuple[dict[str, str], str | None]:
    """``/proc/self/cgroup`` -> (v1 controller -> path, v2 path)."""
    v1: dict[str, str] = {}
    v2 = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _hid, controllers, path = parts
        if controllers == "":
            v2 = path
        for controller in controllers.split(","):
            v1[controller] = path
    return v1, v2


def _inside(mount: Path, path: str) -> Path:
    return mount / path.lstrip("/")


class RunGroup:
    """The cgroup(s) of one run."""

    def __init__(self, manager: CgroupManager, name: str):
        self.manager = manager
        self.name = name
        self.dirs: dict[str, Path] = {}

    # -- set up ----------------------------------------------------------
    def create(self, *, memory_bytes: int, tasks: int) -> None:
        m = self.manager
        for controller, base in m.bases.items():
            path = base / self.name
            path.mkdir()
            self.dirs[controller] = path
        if m.version == 1:
            mem = self.dirs["memory"]
            _write(mem / "memory.limit_in_bytes", str(memory_bytes))
            if (mem / "memory.memsw.limit_in_bytes").exists():
                _write(mem / "memory.memsw.limit_in_bytes", str(memory_bytes))
            _write(self.dirs["pids"] / "pids.max", str(tasks))
        else:
            group = self.dirs["unified"]
            _write(group / "memory.max", str(memory_bytes))
            if (group / "memory.swap.max").exists():
                _write(group / "memory.swap.max", "0")
            _write(group / "pids.max", str(tasks))

    def add(self, pid: int) -> None:
        for path in self.dirs.values():
            _write(path / "cgroup.procs", str(pid))

    # -- measure ---------------------------------------------------------
    def cpu_ns(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            if self.manager.version == 1 and "cpuacct" in self.dirs:
                return int(_read(self.dirs["cpuacct"] / "cpuacct.usage"))
            if self.manager.version == 2:
                for line in _read(self.dirs["unified"] / "cpu.stat").splitlines():
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) * 1000
        return None

    def memory_peak_bytes(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            if self.manager.version == 1:
                return int(_read(self.dirs["memory"] / "memory.max_usage_in_bytes"))
            return int(_read(self.dirs["unified"] / "memory.peak"))
        return None

    def oom_killed(self) -> bool:
        with contextlib.suppress(OSError, ValueError):
            if self.manager.version == 1:
                text = _read(self.dirs["memory"] / "memory.oom_control")
            else:
                text = _read(self.dirs["unified"] / "memory.events")
            for line in text.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        return False

    def pids_exhausted(self) -> bool:
        with contextlib.suppress(OSError, ValueError):
            if self.manager.version == 1:
                return int(_read(self.dirs["pids"] / "pids.events").split()[-1]) > 0
            for line in _read(self.dirs["unified"] / "pids.events").splitlines():
                key, _, value = line.partition(" ")
                if key == "max" and int(value) > 0:
                    return True
        return False

    # -- tear down -------------------------------------------------------
    def pids(self) -> list[int]:
        found: set[int] = set()
        for path in self.dirs.values():
            with contextlib.suppress(OSError, ValueError):
                found.update(int(p) for p in _read(path / "cgroup.procs").split())
        return sorted(found)

    def destroy(self, timeout: float = 5.0) -> bool:
        """Kill every task left in the group and remove it; False if something would not go."""
        deadline = time.monotonic() + timeout
        kill_file = self.dirs.get("unified", Path("/nonexistent")) / "cgroup.kill"
        while True:
            pids = self.pids()
            if not pids:
                break
            if kill_file.exists():
                with contextlib.suppress(OSError):
                    _write(kill_file, "1")
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                logger.error("cgroup %s still has tasks %s after kill", self.name, pids)
                return False
            time.sleep(0.005)
        ok = True
        for path in self.dirs.values():
            for _ in range(200):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                        logger.error("cannot remove cgroup %s: %s", path, exc)
                        ok = False
                        break
                    time.sleep(0.005)
        return ok


class CgroupManager:
    """Detects what cgroups this process may use and creates one group per run."""

    def __init__(self, *, version: int | None, bases: dict[str, Path], reason: str):
        self.version = version
        self.bases = bases
        self.reason = reason

    @property
    def available(self) -> bool:
        return self.version is not None

    def report(self) -> dict:
        return {
            "version": self.version,
            "controllers": sorted(self.bases),
            "enforced": self.available,
            "detail": self.reason,
        }

    def new_group(self) -> RunGroup:
        return RunGroup(self, f"run-{uuid.uuid4().hex[:16]}")

    def close(self) -> None:
        for base in self.bases.values():
            with contextlib.suppress(OSError):
                base.rmdir()

    @classmethod
    def disabled(cls, reason: str) -> CgroupManager:
        return cls(version=None, bases={}, reason=reason)

    @classmethod
    def detect(cls, *, proc: Path = Path("/proc"), name: str | None = None) -> CgroupManager:
        """Find a writable place for per-run groups: cgroup v1 memory+pids, else v2 with delegation."""
        name = name or f"{PREFIX}-{os.getpid()}"
        try:
            mounts = parse_mountinfo((proc / "self" / "mountinfo").read_text())
            v1_paths, v2_path = parse_proc_cgroup((proc / "self" / "cgroup").read_text())
        except OSError as exc:
            return cls.disabled(f"cannot read the process's cgroups: {exc}")
        reasons = []
        if "memory" in mounts.v1 and "pids" in mounts.v1:
            manager = cls._try_v1(mounts, v1_paths, name)
            if isinstance(manager, CgroupManager):
                return manager
            reasons.append(manager)
        if mounts.v2 is not None and v2_path is not None:
            manager = cls._try_v2(mounts.v2, v2_path, name)
            if isinstance(manager, CgroupManager):
                return manager
            reasons.append(manager)
        if not reasons:
            reasons.append("no cgroup hierarchy with the memory and pids controllers is mounted")
        return cls.disabled("; ".join(reasons))

    @classmethod
    def _try_v1(cls, mounts: Mounts, paths: dict[str, str], name: str) -> CgroupManager | str:
        bases: dict[str, Path] = {}
        wanted = ["memory", "pids"] + (["cpuacct"] if "cpuacct" in mounts.v1 else [])
        for controller in wanted:
            parent = _inside(mounts.v1[controller], paths.get(controller, "/"))
            base = parent / name
            try:
                base.mkdir(exist_ok=True)
                probe = base / "probe"
                probe.mkdir(exist_ok=True)
                probe.rmdir()
            except OSError as exc:
                for made in bases.values():
                    with contextlib.suppress(OSError):
                        made.rmdir()
                if controller == "cpuacct":
                    break
                return f"cgroup v1 {controller} is not writable ({exc.strerror})"
            bases[controller] = base
        return cls(version=1, bases=bases, reason="cgroup v1: memory and pids limits per run")

    @classmethod
    def _try_v2(cls, mount: Path, path: str, name: str) -> CgroupManager | str:
        own = _inside(mount, path)
        try:
            controllers = _read(own / "cgroup.controllers").split()
        except OSError as exc:
            return f"cgroup v2 unreadable ({exc.strerror})"
        missing = {"memory", "pids"} - set(controllers)
        if missing:
            return f"cgroup v2 lacks the {', '.join(sorted(missing))} controller(s) here"
        enable = " ".join(f"+{c}" for c in ("memory", "pids", "cpu") if c in controllers)
        try:
            if path != "/":
                # No process may live in a group that hands controllers down: move this
                # process into a leaf first (the delegated-subtree convention).
                leaf = own / "supervisor"
                leaf.mkdir(exist_ok=True)
                _write(leaf / "cgroup.procs", str(os.getpid()))
            _write(own / "cgroup.subtree_control", enable)
            base = own / name
            base.mkdir(exist_ok=True)
            _write(base / "cgroup.subtree_control", enable)
        except OSError as exc:
            return f"cgroup v2 is not delegated to this process ({exc.strerror})"
        return cls(version=2, bases={"unified": base}, reason="cgroup v2: memory and pids limits per run")
