"""The languages the runner can compile and run, discovered from the host's toolchains.

Every command is an argument list built here from fixed file names (``main.c``,
``Main.java``, ...); nothing a learner sends ever becomes a program name, an
option or a path outside the work directory. Discovery runs each toolchain once,
unsandboxed but with fixed arguments, to read its version.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from extracted.runner.sandbox.limits import MIB, Limits

logger = logging.getLogger(__name__)

# Extra tasks (threads) a runtime needs on top of what the program asks for.
JVM_TASKS = 40
NODE_TASKS = 24
COMPILER_TASKS = 128

# How far beyond its memory limit a program's address space may go when only
# rlimits enforce memory: a little for native code and Python; virtual-memory
# hungry runtimes (the JVM, V8) get a large allowance and rely on their heap flags.
NATIVE_ADDRESS_SLACK = 64 * MIB
RUNTIME_ADDRESS_SLACK = 4096 * MIB


@dataclass(frozen=True)
class Step:
    """One command to run in the sandbox, plus how its memory is enforced."""

    argv: list[str]
    tasks: int
    extra_memory_bytes: int = 0  # runtime overhead added to the cgroup limit
    # Address-space limit: "limit" = memory limit + native slack, "runtime" = only
    # when cgroups are unavailable (memory limit + runtime slack).
    address_space: str = "limit"


@dataclass(frozen=True)
class Language:
    id: str
    name: str
    version: str
    source_name: str
    extension: str
    run: Callable[[Language, Limits], Step]
    compile: Callable[[Language, Limits, list[str]], Step] | None = None
    binds: tuple[str, ...] = ()
    tools: dict[str, str] = field(default_factory=dict)
    memory_markers: tuple[bytes, ...] = ()
    env: tuple[tuple[str, str], ...] = ()

    @property
    def compiled(self) -> bool:
        return self.compile is not None

    def describe(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "source_file": self.source_name,
            "compiled": self.compiled,
        }


#: Host (uid, gid) the toolchain probes run as: the sandbox's own, so that a toolchain the
#: sandbox cannot reach (e.g. under root's private home) is not offered.
_probe_user: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar(
    "probe_user", default=None
)


def _version(argv: list[str], pattern: str) -> str | None:
    user = _probe_user.get()
    as_user = {"user": user[0], "group": user[1], "extra_groups": []} if user else {}
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=20, check=False, env=_discovery_env(), cwd="/", **as_user
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.info("toolchain probe %s failed: %s", argv[0], exc)
        return None
    text = (done.stdout + done.stderr).decode(errors="replace")
    match = re.search(pattern, text)
    if done.returncode != 0 or not match:
        logger.info("toolchain probe %s answered %s: %s", argv[0], done.returncode, text[:200])
        return None
    return match.group(1)


def _discovery_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/"), "LANG": "C"}


def _find(names: list[str], extra_dirs: tuple[str, ...] = ()) -> str | None:
    """First ELF executable among ``names`` in PATH (shims and scripts are skipped) that the
    sandbox's user can reach: a virtualenv's or pyenv's interpreter under root's private home
    is passed over for the system's, which a program running as that user can execute."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/bin", "/usr/bin", "/bin", *extra_dirs])
    for name in names:
        for directory in search.split(os.pathsep):
            if not directory:
                continue
            candidate = shutil.which(name, path=directory)
            if not candidate:
                continue
            real = os.path.realpath(candidate)
            if _is_elf(real) and _reachable(real):
                return real
    return None


def _reachable(path: str) -> bool:
    """Whether the probe user (the sandbox's; anyone when probing as oneself) may execute ``path``:
    every directory on the way searchable and the file executable by others (or by that user)."""
    user = _probe_user.get()
    if user is None:
        return True
    uid, gid = user
    current = Path(path)
    for step in [current, *current.parents]:
        try:
            status = step.stat()
        except OSError:
            return False
        if status.st_uid == uid:
            allowed = status.st_mode & stat.S_IXUSR
        elif status.st_gid == gid:
            allowed = status.st_mode & stat.S_IXGRP
        else:
            allowed = status.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


def _is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def _outside_usr(*paths: str) -> tuple[str, ...]:
    """Directories to bind read-only besides /usr: the top-level prefix of each path."""
    binds = []
    for path in paths:
        resolved = Path(path).resolve()
        if resolved.parts[1:2] == ("usr",):
            continue
        binds.append(str(resolved))
    return tuple(dict.fromkeys(binds))


# -- run and compile commands -----------------------------------------------------------


def _python_run(lang: Language, limits: Limits) -> Step:
    return Step([lang.tools["python"], "-B", "-s", "-E", lang.source_name], tasks=limits.processes)


def _node_run(lang: Language, limits: Limits) -> Step:
    argv = [lang.tools["node"], f"--max-old-space-size={limits.memory_mb}", lang.source_name]
    return Step(
        argv,
        tasks=limits.processes + NODE_TASKS,
        extra_memory_bytes=64 * MIB,
        address_space="runtime",
    )


def _native_run(lang: Language, limits: Limits) -> Step:
    return Step(["./main"], tasks=limits.processes)


def _gcc_compile(lang: Language, limits: Limits, extra: list[str]) -> Step:
    standard = "-std=gnu17" if lang.id == "c" else "-std=gnu++17"
    sources = [lang.source_name, *sorted(n for n in extra if n.endswith(lang.extension))]
    argv = [lang.tools["cc"], standard, "-O2", "-pipe", "-Wall", "-o", "main", *sources, "-lm"]
    return Step(argv, tasks=COMPILER_TASKS)


def _rust_compile(lang: Language, limits: Limits, extra: list[str]) -> Step:
    argv = [lang.tools["rustc"], "--edition=2021", "-C", "opt-level=2", "-C", "debuginfo=0"]
    return Step([*argv, "-o", "main", lang.source_name], tasks=COMPILER_TASKS, address_space="runtime")


JVM_FLAGS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-XX:ActiveProcessorCount=1"]


def _java_compile(lang: Language, limits: Limits, extra: list[str]) -> Step:
    heap = max(64, limits.memory_mb - 256)
    jflags = [f"-J{flag}" for flag in [*JVM_FLAGS, f"-Xmx{heap}m", "-Xss8m"]]
    argv = [lang.tools["javac"], *jflags, "-encoding", "UTF-8", "-nowarn", "-d", ".", lang.source_name]
    return Step(argv, tasks=COMPILER_TASKS, address_space="runtime")


def _java_run(lang: Language, limits: Limits) -> Step:
    argv = [lang.tools["java"], *JVM_FLAGS, f"-Xmx{limits.memory_mb}m", "-Xss64m", "-cp", ".", "Main"]
    return Step(
        argv, tasks=limits.processes + JVM_TASKS, extra_memory_bytes=160 * MIB, address_space="runtime"
    )


# -- discovery --------------------------------------------------------------------------


def _python() -> Language | None:
    python = _find(["python3"])
    version = python and _version([python, "--version"], r"Python (\S+)")
    if not version:
        return None
    return Language(
        id="python",
        name="Python",
        version=version,
        source_name="main.py",
        extension=".py",
        run=_python_run,
        tools={"python": python},
        binds=_outside_usr(python),
        memory_markers=(b"MemoryError",),
    )


def _node() -> Language | None:
    node = _find(["node", "nodejs"])
    version = node and _version([node, "--version"], r"v(\S+)")
    if not version:
        return None
    return Language(
        id="javascript",
        name="JavaScript (Node.js)",
        version=version,
        source_name="main.js",
        extension=".js",
        run=_node_run,
        tools={"node": node},
        binds=_outside_usr(node),
        memory_markers=(b"JavaScript heap out of memory", b"Reached heap limit"),
    )


def _gcc(lang_id: str, names: list[str]) -> Language | None:
    cc = _find(names)
    version = cc and _version([cc, "-dumpfullversion", "-dumpversion"], r"(\d+(?:\.\d+)*)")
    if not version:
        return None
    is_c = lang_id == "c"
    return Language(
        id=lang_id,
        name="C" if is_c else "C++",
        version=f"gcc {version}" if is_c else f"g++ {version}",
        source_name="main.c" if is_c else "main.cpp",
        extension=".c" if is_c else ".cpp",
        run=_native_run,
        compile=_gcc_compile,
        tools={"cc": cc},
        binds=_outside_usr(cc),
        memory_markers=() if is_c else (b"std::bad_alloc",),
    )


def _java() -> Language | None:
    javac = _find(["javac"])
    java = javac and str(Path(javac).with_name("java"))
    if not javac or not _is_elf(java):
        return None
    version = _version([javac, "-version"], r"javac (\S+)")
    if not version:
        return None
    java_home = Path(javac).parent.parent
    # The JDK's conf/ holds links into /etc/java-<n>-openjdk on Debian-like systems.
    etc = sorted(str(p) for p in Path("/etc").glob("java-*") if p.is_dir())
    return Language(
        id="java",
        name="Java",
        version=version,
        source_name="Main.java",
        extension=".java",
        run=_java_run,
        compile=_java_compile,
        tools={"javac": javac, "java": java},
        binds=(*_outside_usr(str(java_home)), *etc),
        memory_markers=(b"java.lang.OutOfMemoryError",),
    )


def _rust() -> Language | None:
    if not shutil.which("cc"):
        return None
    cargo_bin = str(Path.home() / ".cargo" / "bin")
    # rustup's proxy first, then the system's rustc: the first the sandbox can run.
    candidates = [
        shutil.which("rustc"),
        shutil.which("rustc", path=cargo_bin),
        shutil.which("rustc", path="/usr/bin"),
    ]
    for proxy in dict.fromkeys(filter(None, candidates)):
        sysroot = _version([proxy, "--print", "sysroot"], r"(\S+)")
        rustc = sysroot and str(Path(sysroot) / "bin" / "rustc")
        version = rustc and _is_elf(rustc) and _version([rustc, "--version"], r"rustc (\S+)")
        if version:
            break
    else:
        return None
    return Language(
        id="rust",
        name="Rust",
        version=version,
        source_name="main.rs",
        extension=".rs",
        run=_native_run,
        compile=_rust_compile,
        tools={"rustc": rustc},
        binds=_outside_usr(sysroot),
        memory_markers=(b"memory allocation of",),
    )


DISCOVERERS: dict[str, Callable[[], Language | None]] = {
    "python": _python,
    "javascript": _node,
    "c": lambda: _gcc("c", ["gcc", "cc"]),
    "cpp": lambda: _gcc("cpp", ["g++", "c++"]),
    "java": _java,
    "rust": _rust,
}


def discover(only: list[str] | None = None, *, run_as: tuple[int, int] | None = None) -> dict[str, Language]:
    """Every language whose toolchain answers on this host, by id (optionally only those in ``only``).

    ``run_as``: the host (uid, gid) sandboxes run as; toolchains are probed as that user.
    """
    found: dict[str, Language] = {}
    token = _probe_user.set(run_as)
    try:
        for language_id, discoverer in DISCOVERERS.items():
            if only and language_id not in only:
                continue
            language = discoverer()
            if language:
                found[language.id] = language
    finally:
        _probe_user.reset(token)
    return found
