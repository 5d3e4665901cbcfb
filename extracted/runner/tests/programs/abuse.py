"""One probe per abuse, chosen by the first line of input; prints what the sandbox allowed."""
# ruff: noqa: SIM105, SIM115, S606 - a hostile program, written to provoke the sandbox

import ctypes
import os
import signal
import socket
import sys


def report(what, ok):
    print(what, "ALLOWED" if ok else "blocked", flush=True)


def attempt(fn):
    try:
        fn()
        return True
    except OSError:
        return False


def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def read(path):
    with open(path, "rb") as handle:
        handle.read(1)


def write(path):
    with open(path, "w") as handle:
        handle.write("x")


cmd = sys.stdin.readline().strip()
if cmd == "network":
    for port in (5432, 5672, 6379, 8003):
        report(f"tcp {port}", attempt(lambda port=port: connect(port)))
    report("dns", attempt(lambda: socket.getaddrinfo("example.com", 80)))
    print("interfaces", sorted(name for _, name in socket.if_nameindex()))
elif cmd == "secrets":
    settings_path = sys.stdin.readline().strip()
    report("shadow", attempt(lambda: read("/etc/shadow")))
    report("settings", attempt(lambda: read(settings_path)))
    print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            for name in ("environ", "cmdline"):
                try:
                    print(pid, name, open(f"/proc/{pid}/{name}", "rb").read())
                except OSError as exc:
                    print(pid, name, "unreadable", exc.errno)
    print("env", dict(os.environ))
elif cmd == "write":
    for path in (
        "/usr/polycode-x",
        "/etc/polycode-x",
        "/polycode-x",
        "/proc/sysrq-trigger",
        "/dev/polycode-x",
        "/proc/sys/kernel/core_pattern",
        "/proc/sys/vm/drop_caches",
    ):
        report(path, attempt(lambda path=path: write(path)))
    marker = sys.stdin.readline().strip()
    report("/tmp scratch", attempt(lambda: write(f"/tmp/{marker}")))
    report("cwd scratch", attempt(lambda: write(marker)))
elif cmd == "links":
    os.symlink("/etc/shadow", "shadow-link")
    report("symlink read", attempt(lambda: read("shadow-link")))
    report("hardlink", attempt(lambda: os.link("/usr/bin/env", "env-link")))
elif cmd == "privileges":
    report("setuid 0", attempt(lambda: os.setuid(0)))
    report("dev mem", attempt(lambda: read("/dev/mem")))
    report("dev sda", attempt(lambda: read("/dev/sda")))
    libc = ctypes.CDLL(None, use_errno=True)
    report("ptrace", libc.ptrace(0, 0, 0, 0) == 0)
    report("unshare user", libc.unshare(0x10000000) == 0)
    status = open("/proc/self/status").read()
    print([line for line in status.splitlines() if line.startswith(("CapEff", "NoNewPrivs", "Seccomp:"))])
    print("uid", os.getuid(), os.geteuid())
elif cmd == "forkbomb":
    while True:
        try:
            os.fork()
        except OSError:
            pass
elif cmd == "daemon":
    marker = sys.stdin.readline().strip()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", marker])
        os._exit(0)
    os.wait()
    print("parent done")
elif cmd == "zombies":
    for _ in range(20):
        if os.fork() == 0:
            os._exit(0)
    print("left zombies")
elif cmd == "killparent":
    for pid in (os.getppid(), 1, -1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError as exc:
            print("kill", pid, "failed", exc.errno)
    print("still here")
elif cmd == "memory":
    blocks = []
    while True:
        blocks.append(bytearray(b"x" * (16 << 20)))
elif cmd == "flood":
    line = "x" * 1000
    while True:
        print(line)
elif cmd == "spin":
    while True:
        pass
elif cmd == "sleep":
    import time

    time.sleep(10**6)
elif cmd == "echo":
    sys.stdout.write(sys.stdin.read())
