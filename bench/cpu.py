"""CPU time of processes, read from ``/proc`` (Linux): where a benchmark's CPU went.

A benchmark takes a :func:`snapshot` before and after a pass and divides the
difference by the work done, per process group (a service started in a
session of its own), per server (PostgreSQL, RabbitMQ) and for itself.
"""

from __future__ import annotations

import os
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")

#: Servers whose processes are summed by executable name.
SERVERS = {"postgres": ("postgres",), "rabbitmq": ("beam.smp", "erl_child_setup", "epmd")}


def _stat(pid: int) -> tuple[str, int, float] | None:
    """``(name, process group, CPU seconds)`` of ``pid``, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw.rsplit(")", 1)[1].split()
    # fields[0] is the state: pgrp is field 5 of stat, utime 14, stime 15 (1-based).
    return name, int(fields[2]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far, 0 when it is gone."""
    stat = _stat(pid)
    return stat[2] if stat else 0.0


def snapshot(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process group, of each server, and of this process.

    ``groups`` maps a label to a process group id (the pid of a process started
    with ``start_new_session=True``): its children (gunicorn's workers) count too.
    Processes that ended before the snapshot are not counted: take both snapshots
    while the processes run.
    """
    by_group = {pgid: label for label, pgid in groups.items()}
    totals = {label: 0.0 for label in [*groups, *SERVERS, "benchmark"]}
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = _stat(pid)
        if stat is None:
            continue
        name, pgrp, seconds = stat
        if pid == me:
            totals["benchmark"] += seconds
        elif pgrp in by_group:
            totals[by_group[pgrp]] += seconds
        else:
            for server, names in SERVERS.items():
                if name in names:
                    totals[server] += seconds
    return totals


def per_unit_ms(before: dict[str, float], after: dict[str, float], units: int) -> dict[str, float]:
    """Milliseconds of CPU per unit of work (a purchase, a request) for each label, and in all."""
    out = {label: round((after[label] - before[label]) * 1000 / max(units, 1), 2) for label in before}
    out["total"] = round(sum(out.values()), 2)
    return out
