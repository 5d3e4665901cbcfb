"""The sandbox's seccomp deny-list, built by libseccomp in the form ``bwrap --seccomp FD`` loads.

Bubblewrap already drops every capability and sets ``no_new_privs``; this filter
closes the system calls a learner's program never needs and that sandbox escapes
and kernel exploits lean on (ptrace, mount, namespaces, keyrings, bpf, perf,
userfaultfd, io_uring, ...). Denied calls fail with ``EPERM`` rather than
killing the program, so a runtime probing a feature degrades gracefully.
``clone3`` and io_uring answer ``ENOSYS`` so the C library and libuv fall back
to ``clone`` and plain system calls, whose namespace flags the filter can check.

The policy is written by system call name; libseccomp (through ``pyseccomp``, over
the system's ``libseccomp2``) knows each name's number on the host's architecture,
generates the BPF program and checks the architecture first: the filter holds the
native architecture only, so any other ABI the kernel accepts (32-bit compat calls
on x86_64, x32) kills the process. A name the host's architecture lacks (e.g.
``create_module`` on aarch64) is simply not in the program. The same policy builds
for every architecture libseccomp knows (``policy(arch)``; the tests build each).
"""

from __future__ import annotations

import errno
import os

from extracted.runner.sandbox.errors import SandboxUnavailable

_MISSING = ""
try:
    import pyseccomp as libseccomp
except (ImportError, RuntimeError) as exc:  # the binding, or libseccomp2 under it, is missing
    libseccomp = None
    _MISSING = str(exc)

#: Namespace flags ``clone`` may not be given (``unshare`` and ``setns`` are denied outright).
CLONE_NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
#: ioctl requests that push characters into a terminal's input (the kernel reads the
#: request as 32 bits, so the filter compares the low 32 bits only).
TERMINAL_INJECTION = (0x5412, 0x541C)  # TIOCSTI, TIOCLINUX
LOW_32_BITS = 0xFFFFFFFF

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

#: Architectures whose ``clone`` takes the flags second (the stack pointer first).
_CLONE_FLAGS_SECOND = ("s390", "s390x")


def _library():
    if libseccomp is None:
        raise SandboxUnavailable(
            f"libseccomp is not available ({_MISSING}): the runner will not execute code without its "
            "seccomp filter. Install the 'libseccomp2' package and requirements/runner.txt."
        )
    return libseccomp


def architectures() -> dict[str, int]:
    """Every architecture libseccomp knows, by its lower-case name (``x86_64``, ``aarch64``, ...)."""
    known = vars(_library().Arch).items()
    return {name.lower(): token for name, token in known if name.isupper() and token}


def native_arch() -> str:
    """libseccomp's name of the host's architecture."""
    native = _library().system_arch()
    return next((name for name, token in architectures().items() if token == native), f"0x{native:08x}")


def policy(arch: str | None = None):
    """The deny-list as a libseccomp filter for one architecture: the host's, or ``arch``.

    Only that architecture is in the filter, so a call made through any other ABI
    meets the bad-architecture action: the process is killed.
    """
    lib = _library()
    arch = arch or native_arch()
    rules = lib.SyscallFilter(lib.ALLOW)
    if architectures()[arch] != lib.system_arch():
        rules.remove_arch(lib.Arch.NATIVE)
        rules.add_arch(architectures()[arch])
    rules.set_attr(lib.Attr.ACT_BADARCH, lib.KILL_PROCESS)
    eperm = lib.ERRNO(errno.EPERM)
    for name in DENIED:
        rules.add_rule(eperm, name)
    for name in NOT_IMPLEMENTED:
        rules.add_rule(lib.ERRNO(errno.ENOSYS), name)
    flags = 1 if arch in _CLONE_FLAGS_SECOND else 0
    for flag in CLONE_NAMESPACE_FLAGS:
        rules.add_rule(eperm, "clone", lib.Arg(flags, lib.MASKED_EQ, flag, flag))
    for request in TERMINAL_INJECTION:
        rules.add_rule(eperm, "ioctl", lib.Arg(1, lib.MASKED_EQ, LOW_32_BITS, request))
    return rules


def build_filter(arch: str | None = None) -> bytes:
    """The policy as a classic BPF program (array of ``struct sock_filter``), as bwrap reads it."""
    fd = os.memfd_create("seccomp", os.MFD_CLOEXEC)
    with open(fd, "w+b") as exported:
        policy(arch).export_bpf(exported)
        exported.seek(0)
        return exported.read()


def syscall_number(name: str, arch: str | None = None) -> int | None:
    """libseccomp's number for ``name`` on ``arch`` (the host's by default); None where it has none."""
    lib = _library()
    number = lib.resolve_syscall(architectures()[arch] if arch else lib.Arch.NATIVE, name)
    return number if number >= 0 else None


def denied_syscalls() -> list[str]:
    """The denied names that exist on the host's architecture."""
    return [name for name in DENIED if syscall_number(name) is not None]
