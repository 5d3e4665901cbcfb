"""A seccomp deny-list compiled to classic BPF, in the form ``bwrap --seccomp FD`` loads.

Bubblewrap already drops every capability and sets ``no_new_privs``; this filter
closes the system calls a learner's program never needs and that sandbox escapes
and kernel exploits lean on (ptrace, mount, namespaces, keyrings, bpf, perf,
userfaultfd, io_uring, ...). Denied calls fail with ``EPERM`` rather than
killing the program, so a runtime probing a feature degrades gracefully.
``clone3`` and io_uring answer ``ENOSYS`` so the C library and libuv fall back
to ``clone`` and plain system calls, whose namespace flags the filter can check.
A foreign architecture (32-bit compat calls on x86_64, x32) kills the process.

The assembler is deliberately tiny: loads, equality/bit tests and returns.
"""

from __future__ import annotations

import errno
import platform
import struct
from dataclasses import dataclass

# struct seccomp_data offsets
_NR = 0
_ARCH = 4


def _arg_low(index: int) -> int:
    """Offset of the low 32 bits of syscall argument ``index`` (little-endian hosts)."""
    return 16 + 8 * index


# BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000

X32_SYSCALL_BIT = 0x40000000
CLONE_NAMESPACE_FLAGS = (
    0x00020000  # CLONE_NEWNS
    | 0x02000000  # CLONE_NEWCGROUP
    | 0x04000000  # CLONE_NEWUTS
    | 0x08000000  # CLONE_NEWIPC
    | 0x10000000  # CLONE_NEWUSER
    | 0x20000000  # CLONE_NEWPID
    | 0x40000000  # CLONE_NEWNET
)
TIOCSTI = 0x5412  # push characters into a terminal's input
TIOCLINUX = 0x541C

DENIED = (
    # debugging and reading other processes' memory
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
    # file systems, mounts and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "open_by_handle_at", "name_to_handle_at", "quotactl", "quotactl_fd", "lookup_dcookie",
    "fanotify_init",
    # the kernel itself
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "create_module", "get_kernel_syms", "query_module", "nfsservctl", "uselib", "_sysctl",
    "reboot", "swapon", "swapoff", "acct", "syslog", "vhangup",
    "bpf", "perf_event_open", "userfaultfd",
    "keyctl", "add_key", "request_key",
    # host-wide settings
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    # hardware and memory placement
    "iopl", "ioperm", "modify_ldt", "mbind", "set_mempolicy", "migrate_pages", "move_pages",
)  # fmt: skip
NOT_IMPLEMENTED = ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register")


@dataclass(frozen=True)
class Arch:
    name: str
    audit_arch: int
    syscalls: dict[str, int]
    has_x32: bool


X86_64 = Arch(
    name="x86_64",
    audit_arch=0xC000003E,
    has_x32=True,
    syscalls={
        "ioctl": 16, "clone": 56, "ptrace": 101, "syslog": 103, "uselib": 134, "vhangup": 153,
        "modify_ldt": 154, "pivot_root": 155, "_sysctl": 156, "adjtimex": 159, "chroot": 161,
        "acct": 163, "settimeofday": 164, "mount": 165, "umount2": 166, "swapon": 167,
        "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171, "iopl": 172,
        "ioperm": 173, "create_module": 174, "init_module": 175, "delete_module": 176,
        "get_kernel_syms": 177, "query_module": 178, "quotactl": 179, "nfsservctl": 180,
        "lookup_dcookie": 212, "clock_settime": 227, "mbind": 237, "set_mempolicy": 238,
        "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250,
        "migrate_pages": 256, "unshare": 272, "move_pages": 279, "perf_event_open": 298,
        "fanotify_init": 300, "name_to_handle_at": 303, "open_by_handle_at": 304,
        "clock_adjtime": 305, "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311,
        "kcmp": 312, "finit_module": 313, "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442,
        "quotactl_fd": 443,
    },
)  # fmt: skip

AARCH64 = Arch(
    name="aarch64",
    audit_arch=0xC00000B7,
    has_x32=False,
    syscalls={
        "lookup_dcookie": 18, "ioctl": 29, "umount2": 39, "mount": 40, "pivot_root": 41,
        "chroot": 51, "vhangup": 58, "quotactl": 60, "acct": 89, "unshare": 97, "kexec_load": 104,
        "init_module": 105, "delete_module": 106, "clock_settime": 112, "syslog": 116,
        "ptrace": 117, "reboot": 142, "sethostname": 161, "setdomainname": 162,
        "settimeofday": 170, "adjtimex": 171, "add_key": 217, "request_key": 218, "keyctl": 219,
        "clone": 220, "swapon": 224, "swapoff": 225, "mbind": 235, "set_mempolicy": 237,
        "migrate_pages": 238, "move_pages": 239, "perf_event_open": 241, "fanotify_init": 262,
        "name_to_handle_at": 264, "open_by_handle_at": 265, "clock_adjtime": 266, "setns": 268,
        "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272, "finit_module": 273,
        "bpf": 280, "userfaultfd": 282, "kexec_file_load": 294, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435,
        "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442, "quotactl_fd": 443,
    },
)  # fmt: skip

ARCHES = {"x86_64": X86_64, "amd64": X86_64, "aarch64": AARCH64, "arm64": AARCH64}


class _Assembler:
    """Classic BPF with symbolic forward jump targets, resolved at the end."""

    def __init__(self):
        self.code: list[tuple[int, object, object, int]] = []
        self.labels: dict[str, int] = {}

    def load(self, offset: int):
        self.code.append((_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, k: int, true: str | int = 0, false: str | int = 0):
        self.code.append((op, true, false, k))

    def ret(self, value: int):
        self.code.append((_RET_K, 0, 0, value))

    def label(self, name: str):
        self.labels[name] = len(self.code)

    def assemble(self) -> bytes:
        out = bytearray()
        for index, (op, true, false, k) in enumerate(self.code):
            jt, jf = (self._offset(index, target) for target in (true, false))
            out += struct.pack("<HBBI", op, jt, jf, k & 0xFFFFFFFF)
        return bytes(out)

    def _offset(self, index: int, target: str | int) -> int:
        if isinstance(target, int):
            return target
        distance = self.labels[target] - index - 1
        if not 0 <= distance <= 255:
            raise ValueError(f"BPF jump to {target} out of range ({distance})")
        return distance


def host_arch() -> Arch | None:
    return ARCHES.get(platform.machine().lower())


def build_filter(arch: Arch) -> bytes:
    """The deny-list as a BPF program (array of ``struct sock_filter``) for ``arch``."""
    asm = _Assembler()
    asm.load(_ARCH)
    asm.jump(_JEQ_K, arch.audit_arch, 0, "kill")
    asm.load(_NR)
    if arch.has_x32:
        asm.jump(_JGE_K, X32_SYSCALL_BIT, "kill", 0)
    for name in DENIED:
        if name in arch.syscalls:
            asm.jump(_JEQ_K, arch.syscalls[name], "eperm", 0)
    for name in NOT_IMPLEMENTED:
        asm.jump(_JEQ_K, arch.syscalls[name], "enosys", 0)
    asm.jump(_JEQ_K, arch.syscalls["clone"], "clone", 0)
    asm.jump(_JEQ_K, arch.syscalls["ioctl"], "ioctl", 0)
    asm.ret(RET_ALLOW)
    asm.label("clone")
    asm.load(_arg_low(0))
    asm.jump(_JSET_K, CLONE_NAMESPACE_FLAGS, "eperm", 0)
    asm.ret(RET_ALLOW)
    asm.label("ioctl")
    asm.load(_arg_low(1))
    asm.jump(_JEQ_K, TIOCSTI, "eperm", 0)
    asm.jump(_JEQ_K, TIOCLINUX, "eperm", 0)
    asm.ret(RET_ALLOW)
    asm.label("eperm")
    asm.ret(RET_ERRNO | errno.EPERM)
    asm.label("enosys")
    asm.ret(RET_ERRNO | errno.ENOSYS)
    asm.label("kill")
    asm.ret(RET_KILL_PROCESS)
    return asm.assemble()


def denied_syscalls(arch: Arch) -> list[str]:
    return [name for name in DENIED if name in arch.syscalls]
