"""The sandbox library's pure parts: comparison, limits, seccomp program, cgroup detection, pool."""

import re
import struct
import threading
from pathlib import Path

import pytest

from extracted.runner.sandbox import Busy, LimitError, Limits, limits_from, outputs_match, seccomp
from extracted.runner.sandbox.cgroups import CgroupManager, parse_mountinfo, parse_proc_cgroup
from extracted.runner.sandbox.pool import Pool


@pytest.mark.parametrize(
    ("actual", "expected", "match"),
    [
        ("1\n2\n", "1\n2", True),
        ("  1  \n2\t\n\n\n", "1\n2\n", True),
        ("1\n2\n", "1\n\n2\n", False),  # an inner blank line counts
        ("1 2\n", "1  2\n", False),  # spaces inside a line count
        ("1\n", "1\n2\n", False),
        ("", "\n\n", True),
        ("a\r\nb\r\n", "a\nb\n", True),
    ],
)
def test_lines_comparison_is_the_original_rule(actual, expected, match):
    assert outputs_match(actual, expected) is match


def test_exact_and_tokens_comparisons():
    assert outputs_match("1 2\n", "1 2\n", "exact")
    assert not outputs_match("1 2\n", "1 2", "exact")
    assert outputs_match("1\n  2 3", "1 2\n3\n", "tokens")
    with pytest.raises(ValueError, match="unknown comparison"):
        outputs_match("", "", "fuzzy")


def test_limits_default_to_the_documented_values():
    limits = limits_from(None)
    assert (limits.cpu_seconds, limits.wall_seconds, limits.memory_mb) == (5, 10, 256)
    assert (limits.processes, limits.output_kb, limits.file_size_kb) == (64, 64, 1024)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"cpu_seconds": 15.5}, "cpu_seconds"),
        ({"wall_seconds": 20.01}, "wall_seconds"),
        ({"memory_mb": 1024}, "memory_mb"),
        ({"output_kb": 2048}, "output_kb"),
        ({"memory_mb": 12.5}, "memory_mb"),
        ({"memory_mb": True}, "memory_mb"),
        ({"cpu_seconds": float("nan")}, "cpu_seconds"),
        ({"swap": 1}, "swap"),
    ],
)
def test_limits_out_of_bounds_name_the_field(values, field):
    with pytest.raises(LimitError) as caught:
        limits_from(values)
    assert caught.value.field == field


def test_limits_at_their_maxima_are_accepted():
    limits = limits_from({"cpu_seconds": 15, "wall_seconds": 20, "memory_mb": 512, "output_kb": 1024})
    assert limits == Limits(cpu_seconds=15, wall_seconds=20, memory_mb=512, output_kb=1024)


def _kernel_numbers(header: Path) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"#define __NR_(\w+)\s+(\d+)", header.read_text())}


POLICY_NAMES = (*seccomp.DENIED, *seccomp.NOT_IMPLEMENTED, "clone", "ioctl")


def test_x86_64_syscall_numbers_agree_with_the_kernel_headers():
    header = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
    if not header.exists():
        pytest.skip("kernel headers for x86_64 are not installed")
    kernel = _kernel_numbers(header)
    checked = [name for name in POLICY_NAMES if name in kernel]
    assert len(checked) > 50
    for name in checked:
        assert seccomp.syscall_number(name, "x86_64") == kernel[name], name


def test_every_name_of_the_policy_is_a_system_call_libseccomp_knows():
    for name in POLICY_NAMES:
        assert any(seccomp.syscall_number(name, arch) is not None for arch in seccomp.architectures()), name


def _bpf(program: bytes) -> list[tuple[int, int, int, int]]:
    assert program
    assert len(program) % 8 == 0
    return [struct.unpack("<HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]


RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000


def test_seccomp_filter_is_well_formed_bpf_that_checks_the_architecture_first():
    arch = seccomp.native_arch()
    code = _bpf(seccomp.build_filter())
    assert code[0] == (0x20, 0, 0, 4)  # load arch
    assert code[1][0] == 0x15
    assert code[1][3] == seccomp.architectures()[arch]  # libseccomp's token is the AUDIT_ARCH value
    assert code[-1] == (0x06, 0, 0, RET_KILL_PROCESS)  # a foreign architecture
    returns = {k for op, _, _, k in code if op == 0x06}
    assert returns == {RET_ALLOW, RET_ERRNO | 1, RET_ERRNO | 38, RET_KILL_PROCESS}
    compared = {k for op, _, _, k in code if op == 0x15}
    for name in ("ptrace", "mount", "bpf", "keyctl", "unshare", "setns", "kexec_load", "perf_event_open"):
        assert seccomp.syscall_number(name) in compared, name
    assert set(seccomp.denied_syscalls()) <= set(seccomp.DENIED)
    assert "ptrace" in seccomp.denied_syscalls()


def test_x86_64_filter_kills_x32_calls():
    code = _bpf(seccomp.build_filter("x86_64"))
    assert (0x35, 0, 1, 0x40000000) in code  # syscall number >= __X32_SYSCALL_BIT ...
    assert code[-1] == (0x06, 0, 0, RET_KILL_PROCESS)  # ... ends at the bad-architecture action


@pytest.mark.parametrize("arch", sorted(seccomp.architectures()))
def test_the_policy_builds_for_every_architecture_libseccomp_knows(arch):
    token = seccomp.architectures()[arch]
    order = "<" if token & 0x40000000 else ">"  # __AUDIT_ARCH_LE: the program is in the arch's byte order
    program = seccomp.build_filter(arch)
    code = [struct.unpack(f"{order}HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]
    assert code[0] == (0x20, 0, 0, 4)
    assert code[-1] == (0x06, 0, 0, RET_KILL_PROCESS)
    assert len(code) > len(seccomp.NOT_IMPLEMENTED) + 40
    compared = {k for op, _, _, k in code if op == 0x15}
    assert seccomp.syscall_number("ptrace", arch) in compared  # the arch's own numbers


MOUNTINFO_V1 = """\
30 25 0:26 / {root}/memory rw,relatime shared:9 - cgroup cgroup rw,memory
31 25 0:27 / {root}/pids rw,relatime shared:10 - cgroup cgroup rw,pids
32 25 0:28 / {root}/cpu,cpuacct rw,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
33 25 0:29 / {root}/unified rw,relatime shared:12 - cgroup2 cgroup2 rw
"""
PROC_CGROUP_V1 = "4:memory:/jobs/a\n3:pids:/\n2:cpu,cpuacct:/\n0::/\n"


def _fake_proc(tmp_path: Path, mountinfo: str, proc_cgroup: str) -> Path:
    proc = tmp_path / "proc" / "self"
    proc.mkdir(parents=True)
    (proc / "mountinfo").write_text(mountinfo.format(root=tmp_path / "cg"))
    (proc / "cgroup").write_text(proc_cgroup)
    return tmp_path / "proc"


def test_mountinfo_and_proc_cgroup_are_parsed():
    mounts = parse_mountinfo(MOUNTINFO_V1.format(root="/sys/fs/cgroup"))
    assert mounts.v1["memory"] == Path("/sys/fs/cgroup/memory")
    assert mounts.v1["cpuacct"] == Path("/sys/fs/cgroup/cpu,cpuacct")
    assert mounts.v2 == Path("/sys/fs/cgroup/unified")
    v1, v2 = parse_proc_cgroup(PROC_CGROUP_V1)
    assert v1["memory"] == "/jobs/a"
    assert v2 == "/"


def test_cgroup_v1_is_used_below_the_process_own_group(tmp_path):
    for sub in ("memory/jobs/a", "pids", "cpu,cpuacct"):
        (tmp_path / "cg" / sub).mkdir(parents=True)
    manager = CgroupManager.detect(proc=_fake_proc(tmp_path, MOUNTINFO_V1, PROC_CGROUP_V1), name="runner-x")
    assert manager.version == 1
    assert manager.bases["memory"] == tmp_path / "cg" / "memory" / "jobs" / "a" / "runner-x"
    assert set(manager.bases) == {"memory", "pids", "cpuacct"}


def test_cgroup_v2_delegation_moves_the_process_into_a_leaf(tmp_path):
    own = tmp_path / "cg" / "unified" / "svc"
    own.mkdir(parents=True)
    (own / "cgroup.controllers").write_text("cpu memory pids\n")
    mountinfo = "33 25 0:29 / {root}/unified rw - cgroup2 cgroup2 rw\n"
    manager = CgroupManager.detect(proc=_fake_proc(tmp_path, mountinfo, "0::/svc\n"), name="runner-x")
    assert manager.version == 2
    assert (own / "supervisor" / "cgroup.procs").read_text().strip().isdigit()
    assert (own / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert manager.bases["unified"] == own / "runner-x"


def test_cgroups_fall_back_with_a_reason_when_nothing_is_usable(tmp_path):
    mountinfo = "33 25 0:29 / {root}/unified rw - cgroup2 cgroup2 rw\n"
    own = tmp_path / "cg" / "unified"
    own.mkdir(parents=True)
    (own / "cgroup.controllers").write_text("cpu hugetlb\n")
    manager = CgroupManager.detect(proc=_fake_proc(tmp_path, mountinfo, "0::/\n"))
    assert not manager.available
    assert "lacks the memory, pids" in manager.reason
    assert manager.report()["enforced"] is False


def test_pool_admits_workers_plus_queue_then_refuses_at_once():
    pool = Pool(workers=1, queue=1, queue_timeout=5, retry_after=3)
    release = threading.Event()
    entered = threading.Event()

    def hold():
        with pool.slot():
            entered.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    waited = threading.Event()

    def wait_for_slot():
        with pool.slot():
            waited.set()

    waiter = threading.Thread(target=wait_for_slot)
    waiter.start()
    while pool.stats()["waiting"] == 0:
        threading.Event().wait(0.005)
    with pytest.raises(Busy) as caught, pool.slot():
        pass
    assert caught.value.retry_after == 3
    release.set()
    holder.join()
    waiter.join()
    assert waited.is_set()  # the queued caller got the slot once it was free
    assert pool.stats() == {"workers": 1, "queue": 1, "running": 0, "waiting": 0}


def test_pool_gives_up_waiting_after_its_queue_timeout():
    pool = Pool(workers=1, queue=1, queue_timeout=0.05)
    with pool.slot(), pytest.raises(Busy), pool.slot():
        pass
