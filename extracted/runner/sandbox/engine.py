"""The sandbox: host detection, work directories, compile/run steps and verdicts."""
# ruff: noqa: S108 - /tmp and /dev/shm are the sandbox's own mounts, or the root of private mkdtemp dirs

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extracted.runner.sandbox import seccomp
from extracted.runner.sandbox.cgroups import CgroupManager
from extracted.runner.sandbox.compare import MODES, outputs_match
from extracted.runner.sandbox.errors import InputError, SandboxUnavailable, UnknownLanguage
from extracted.runner.sandbox.languages import (
    NATIVE_ADDRESS_SLACK,
    RUNTIME_ADDRESS_SLACK,
    Language,
    Step,
    discover,
)
from extracted.runner.sandbox.limits import DEFAULT_COMPILE_LIMITS, KIB, MIB, Limits, limits_from
from extracted.runner.sandbox.pool import Pool
from extracted.runner.sandbox.supervisor import Job, Outcome, Rlimits, become_subreaper, execute

logger = logging.getLogger(__name__)

SANDBOX_UID = 65534
#: The unprivileged host user sandboxes run as when the runner itself runs as root
#: (``user`` option; set-up creates it: ``useradd --system polycode-sandbox``).
DEFAULT_HOST_USER = "polycode-sandbox"
SYSTEM_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives")
ENV = (("PATH", "/usr/local/bin:/usr/bin:/bin"), ("HOME", "/tmp"), ("LANG", "C.UTF-8"), ("TMPDIR", "/tmp"))
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
MAX_EXTRA_FILES = 16

VERDICTS = (
    "accepted",
    "wrong_answer",
    "time_limit",
    "memory_limit",
    "output_limit",
    "runtime_error",
    "compile_error",
    "internal_error",
)


@dataclass
class RunResult:
    verdict: str
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    signal: int | None = None
    cpu_ms: int = 0
    wall_ms: int = 0
    memory_kb: int = 0
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    compile_output: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TestCase:
    id: str
    stdin: str
    expected_stdout: str


@dataclass
class TestResult(RunResult):
    id: str = ""


@dataclass
class JudgeResult:
    verdict: str
    compile_output: str
    tests: list[TestResult] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        passed = sum(1 for t in self.tests if t.verdict == "accepted")
        return {
            "verdict": self.verdict,
            "passed": passed,
            "failed": len(self.tests) - passed,
            "total": len(self.tests),
            "cpu_ms": max((t.cpu_ms for t in self.tests), default=0),
            "wall_ms": sum(t.wall_ms for t in self.tests),
            "memory_kb": max((t.memory_kb for t in self.tests), default=0),
        }

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "compile_output": self.compile_output,
            "tests": [{"id": t.id, **{k: v for k, v in asdict(t).items() if k != "id"}} for t in self.tests],
            "summary": self.summary,
        }


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _bwrap_supports(bwrap: str) -> set[str]:
    try:
        done = subprocess.run([bwrap, "--help"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailable(f"bubblewrap at {bwrap} cannot be started: {exc}") from exc
    text = _decode(done.stdout + done.stderr)
    return {option for option in ("--disable-userns", "--size", "--args", "--remount-ro") if option in text}


def host_identity(user: str | int | None = None) -> tuple[int, int] | None:
    """The host ``(uid, gid)`` bubblewrap is started as; None: as this process, already unprivileged.

    A sandbox's uid inside (65534) maps to the host uid of the process that
    started bwrap. Started by root, that is root: a writable bind or a kernel bug
    would then act as host root. So a runner running as root starts every bwrap
    as an unprivileged user (``user``: a name or a uid; ``DEFAULT_HOST_USER``)
    and refuses to run without one.
    """
    if os.geteuid() != 0:
        return None
    wanted = DEFAULT_HOST_USER if user in (None, "") else str(user)
    try:
        entry = pwd.getpwuid(int(wanted)) if wanted.isdigit() else pwd.getpwnam(wanted)
        uid, gid = entry.pw_uid, entry.pw_gid
    except KeyError:
        if not wanted.isdigit():
            raise SandboxUnavailable(
                f"the runner runs as root and the sandbox user {wanted!r} does not exist: sandboxed "
                "programs must not run as host root. Create it (useradd --system --no-create-home "
                f"--shell /usr/sbin/nologin --user-group {wanted}) or name another user."
            ) from None
        uid = gid = int(wanted)  # a bare uid with no account: its own group
    if uid == 0 or gid == 0:
        raise SandboxUnavailable(f"the sandbox user {wanted!r} is root: it must be an unprivileged user.")
    return uid, gid


def _system_tool(name: str) -> str | None:
    """``name`` in /usr/bin or /bin (both are inside every sandbox), resolved; None if absent."""
    found = shutil.which(name, path="/usr/bin:/bin")
    return os.path.realpath(found) if found else None


def _default_work_root() -> Path:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return Path(tempfile.gettempdir())


class Sandbox:
    """Runs untrusted programs in bubblewrap sandboxes on this host.

    Building one probes the host and refuses (``SandboxUnavailable``) when no
    sandbox can be made: there is no unsandboxed mode.
    """

    def __init__(
        self,
        *,
        bwrap: str | None = None,
        languages: list[str] | None = None,
        cgroups: bool = True,
        work_root: str | Path | None = None,
        scratch_mb: int = 64,
        compile_scratch_mb: int = 512,
        compile_limits: Limits = DEFAULT_COMPILE_LIMITS,
        default_limits: Limits | None = None,
        max_source_bytes: int = 64 * KIB,
        max_stdin_bytes: int = 1 * MIB,
        max_tests: int = 100,
        user: str | int | None = None,
        workers: int | None = None,
        queue: int | None = None,
        queue_timeout: float = 30.0,
    ):
        self.bwrap = bwrap or shutil.which("bwrap") or ""
        if not self.bwrap or not os.access(self.bwrap, os.X_OK):
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed: the runner will not execute code without a sandbox. "
                "Install the 'bubblewrap' package."
            )
        self.features = _bwrap_supports(self.bwrap)
        self.prlimit = _system_tool("prlimit")
        if not self.prlimit:
            raise SandboxUnavailable(
                "prlimit (util-linux) is not installed in /usr/bin or /bin: the sandbox sets each "
                "program's rlimits with it."
            )
        if "--args" not in self.features:
            raise SandboxUnavailable(f"bubblewrap at {self.bwrap} is too old (0.4 or later is needed).")
        self.seccomp_filter = seccomp.build_filter()
        self.is_root = os.geteuid() == 0
        self.host_user = host_identity(user)
        self.cgroups = (
            CgroupManager.detect() if cgroups else CgroupManager.disabled("disabled by configuration")
        )
        if self.is_root and not self.cgroups.available:
            raise SandboxUnavailable(
                "the runner runs as root but cannot create cgroups: the kernel does not apply RLIMIT_NPROC "
                "to root-owned sandboxes, so fork bombs could not be contained. Run it as an unprivileged "
                f"user or give it a writable cgroup ({self.cgroups.reason})."
            )
        self.subreaper = become_subreaper()
        self.scratch_bytes = scratch_mb * MIB
        self.compile_scratch_bytes = compile_scratch_mb * MIB
        self.compile_limits = compile_limits
        self.default_limits = default_limits or Limits()
        self.max_source_bytes = max_source_bytes
        self.max_stdin_bytes = max_stdin_bytes
        self.max_tests = max_tests
        cores = os.cpu_count() or 1
        self.pool = Pool(
            workers=workers or cores,
            queue=queue if queue is not None else 4 * (workers or cores),
            queue_timeout=queue_timeout,
        )
        self.root = Path(tempfile.mkdtemp(prefix="polycode-runner-", dir=work_root or _default_work_root()))
        atexit.register(self.close)
        self._write_etc()
        self._base = self._base_options()
        self.languages = discover(languages, run_as=self.host_user)
        self._smoke_test()

    # -- host setup ----------------------------------------------------------------------

    def _write_etc(self) -> None:
        etc = self.root / "etc"
        etc.mkdir()
        (etc / "passwd").write_text(f"sandbox:x:{SANDBOX_UID}:{SANDBOX_UID}:sandbox:/tmp:/usr/sbin/nologin\n")
        (etc / "group").write_text(f"sandbox:x:{SANDBOX_UID}:\n")
        (etc / "hosts").write_text("127.0.0.1 localhost sandbox\n::1 localhost\n")
        for path in [etc, *etc.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.root.chmod(0o711)

    def _base_options(self) -> list[str]:
        opts = ["--unshare-all", "--unshare-user", "--die-with-parent", "--new-session"]
        if "--disable-userns" in self.features:
            opts.append("--disable-userns")
        opts += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox"]
        opts += ["--ro-bind", "/usr", "/usr"]
        for name in SYSTEM_DIRS:
            path = Path("/") / name
            if path.is_symlink():
                opts += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                opts += ["--ro-bind", str(path), str(path)]
        for path in SYSTEM_FILES:
            if os.path.exists(path):
                opts += ["--ro-bind", path, path]
        for name in ("passwd", "group", "hosts"):
            opts += ["--ro-bind", str(self.root / "etc" / name), f"/etc/{name}"]
        opts += ["--clearenv"]
        for key, value in ENV:
            opts += ["--setenv", key, value]
        return opts

    def _tmpfs(self, dest: str, size: int) -> list[str]:
        sized = ["--size", str(size)] if "--size" in self.features else []
        return [*sized, "--tmpfs", dest]

    def _smoke_test(self) -> None:
        outcome = self._execute(
            argv=["/usr/bin/env", "true"] if os.path.exists("/usr/bin/env") else ["/bin/true"],
            workspace=["--tmpfs", "/box"],
            binds=(),
            limits=Limits(),
            step=Step(argv=[], tasks=8),
            stdin=b"",
            scratch=MIB,
        )
        if outcome.internal_error or outcome.exit_code != 0:
            detail = outcome.internal_error or _decode(outcome.stderr).strip() or f"exit {outcome.exit_code}"
            raise SandboxUnavailable(
                "bubblewrap cannot build a sandbox on this host (user, pid and network namespaces are "
                f"needed): {detail}"
            )

    def close(self) -> None:
        with contextlib.suppress(OSError):
            shutil.rmtree(self.root)
        self.cgroups.close()

    # -- reports -------------------------------------------------------------------------

    def describe_languages(self) -> list[dict]:
        return [language.describe() for language in self.languages.values()]

    def report(self) -> dict:
        """What the sandbox detected at start: one entry per protection layer."""
        address_note = (
            "cgroup memory limit per run (+ address-space limit for native code and Python)"
            if self.cgroups.available
            else "address-space rlimit only (JVM and Node.js: heap flags plus a loose address-space cap)"
        )
        return {
            "bubblewrap": {"path": self.bwrap, "features": sorted(self.features)},
            "namespaces": ["user", "mount", "pid", "network", "ipc", "uts", "cgroup"],
            "sandbox_uid": SANDBOX_UID,
            "host_uid": self.host_user[0] if self.host_user else os.geteuid(),
            "runner_uid": os.geteuid(),
            "seccomp": {
                "enabled": self.seccomp_filter is not None,
                "arch": seccomp.native_arch(),
                "denied": seccomp.denied_syscalls(),
            },
            "cgroups": self.cgroups.report(),
            "memory_enforcement": address_note,
            "process_limit": "pids cgroup + RLIMIT_NPROC" if self.cgroups.available else "RLIMIT_NPROC",
            "rlimits": ["cpu", "address_space", "file_size", "processes", "open_files", "stack", "core=0"],
            "subreaper": self.subreaper,
            "pool": self.pool.stats(),
            "languages": {lang.id: lang.version for lang in self.languages.values()},
        }

    # -- validation ----------------------------------------------------------------------

    def language(self, language_id: str) -> Language:
        try:
            return self.languages[language_id]
        except KeyError:
            raise UnknownLanguage(language_id, sorted(self.languages)) from None

    def limits(self, values: dict | Limits | None) -> Limits:
        if isinstance(values, Limits):
            return limits_from(values.as_dict())
        return limits_from(values, base=self.default_limits)

    def _check_text(self, value: str, *, field_name: str, maximum: int) -> bytes:
        if not isinstance(value, str):
            raise InputError("Must be a string.", field=field_name)
        data = value.encode("utf-8", errors="surrogateescape")
        if len(data) > maximum:
            raise InputError(f"Must be at most {maximum} bytes (got {len(data)}).", field=field_name)
        return data

    def _files(self, language: Language, source: str, files: dict[str, str] | None) -> dict[str, bytes]:
        total = self._check_text(source, field_name="source", maximum=self.max_source_bytes)
        result = {language.source_name: total}
        size = len(total)
        for name, content in (files or {}).items():
            if (
                not isinstance(name, str)
                or not FILE_NAME.match(name)
                or name in ("main", language.source_name)
            ):
                raise InputError(
                    f"Invalid file name {name!r}: letters, digits, '_', '-', '.' only, not the main file.",
                    field="files",
                )
            data = self._check_text(content, field_name="files", maximum=self.max_source_bytes)
            size += len(data)
            result[name] = data
        if len(result) - 1 > MAX_EXTRA_FILES:
            raise InputError(f"At most {MAX_EXTRA_FILES} extra files.", field="files")
        if size > self.max_source_bytes:
            raise InputError(f"Sources must total at most {self.max_source_bytes} bytes.", field="source")
        return result

    # -- public entry points -------------------------------------------------------------

    def run(
        self,
        *,
        language: str,
        source: str,
        stdin: str = "",
        limits: dict | Limits | None = None,
        files: dict[str, str] | None = None,
    ) -> RunResult:
        """Compile (if needed) and run ``source`` once with ``stdin``."""
        lang = self.language(language)
        run_limits = self.limits(limits)
        sources = self._files(lang, source, files)
        stdin_bytes = self._check_text(stdin, field_name="stdin", maximum=self.max_stdin_bytes)
        with self.pool.slot(), self._workspace(sources) as build:
            compiled = self._compile(lang, build, sources)
            if compiled is not None:
                return compiled
            outcome = self._run_step(lang, build, run_limits, stdin_bytes)
            return self._result(RunResult, lang, run_limits, outcome)

    def judge(
        self,
        *,
        language: str,
        source: str,
        tests: list[TestCase | dict],
        limits: dict | Limits | None = None,
        compare: str = "lines",
        files: dict[str, str] | None = None,
    ) -> JudgeResult:
        """Compile once, run every test, compare outputs; one verdict per test plus a summary."""
        lang = self.language(language)
        run_limits = self.limits(limits)
        if compare not in MODES:
            raise InputError(f"Unknown comparison; known: {', '.join(MODES)}.", field="compare")
        cases = [t if isinstance(t, TestCase) else TestCase(**t) for t in tests]
        if not cases or len(cases) > self.max_tests:
            raise InputError(f"Between 1 and {self.max_tests} tests.", field="tests")
        sources = self._files(lang, source, files)
        stdins = [self._check_text(c.stdin, field_name="tests", maximum=self.max_stdin_bytes) for c in cases]
        with self.pool.slot(), self._workspace(sources) as build:
            compiled = self._compile(lang, build, sources)
            if compiled is not None:
                failed = [TestResult(verdict=compiled.verdict, id=c.id) for c in cases]
                return JudgeResult(
                    verdict=compiled.verdict, compile_output=compiled.compile_output, tests=failed
                )
            results = []
            for case, stdin in zip(cases, stdins, strict=True):
                outcome = self._run_step(lang, build, run_limits, stdin)
                result = self._result(TestResult, lang, run_limits, outcome)
                result.id = case.id
                if result.verdict == "accepted" and not outputs_match(
                    result.stdout, case.expected_stdout, compare
                ):
                    result.verdict = "wrong_answer"
                results.append(result)
        verdict = next((r.verdict for r in results if r.verdict != "accepted"), "accepted")
        return JudgeResult(verdict=verdict, compile_output="", tests=results)

    # -- steps ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _workspace(self, sources: dict[str, bytes]):
        build = Path(tempfile.mkdtemp(prefix="run-", dir=self.root))
        try:
            for name, data in sources.items():
                (build / name).write_bytes(data)
                if self.host_user:
                    os.chown(build / name, *self.host_user)
            if self.host_user:
                # The compile step writes here as the sandbox's host user.
                os.chown(build, *self.host_user)
            yield build
        finally:
            shutil.rmtree(build, ignore_errors=True)

    def _compile(self, lang: Language, build: Path, sources: dict[str, bytes]) -> RunResult | None:
        """Run the compile step; a ``RunResult`` to return at once when it failed, else None."""
        if lang.compile is None:
            return None
        limits = self.compile_limits
        extra = [name for name in sources if name != lang.source_name]
        step = lang.compile(lang, limits, extra)
        outcome = self._execute(
            argv=step.argv,
            workspace=["--bind", str(build), "/box"],
            binds=lang.binds,
            limits=limits,
            step=step,
            stdin=b"",
            scratch=self.compile_scratch_bytes,
        )
        output = _decode(outcome.stdout + outcome.stderr)
        if outcome.internal_error:
            logger.error("compile step failed: %s", outcome.internal_error)
            return RunResult(verdict="internal_error", compile_output=output)
        if outcome.killed_for or outcome.oom_killed or outcome.exit_code != 0:
            reason = {
                "wall": "compilation took too long",
                "cpu": "compilation took too long",
                "output": "compiler output too long",
            }.get(outcome.killed_for or "", "")
            if outcome.oom_killed:
                reason = "compilation used too much memory"
            if reason:
                output = f"{output}\n[{reason}]".lstrip()
            return RunResult(verdict="compile_error", compile_output=output)
        return None

    def _run_step(self, lang: Language, build: Path, limits: Limits, stdin: bytes) -> Outcome:
        step = lang.run(lang, limits)
        workspace = self._tmpfs("/box", self.scratch_bytes)
        for entry in sorted(os.listdir(build)):
            path = build / entry
            # Only what the compile step produced as plain files and directories: a symlink
            # would be resolved by bwrap on the host side.
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                continue
            workspace += ["--ro-bind", str(path), f"/box/{entry}"]
        return self._execute(
            argv=step.argv,
            workspace=workspace,
            binds=lang.binds,
            limits=limits,
            step=step,
            stdin=stdin,
            scratch=self.scratch_bytes,
        )

    def _execute(self, *, argv, workspace, binds, limits: Limits, step: Step, stdin, scratch) -> Outcome:
        options = list(self._base)
        for path in binds:
            options += ["--ro-bind", path, path]
        # bwrap leaves /proc/sys writable to a sandbox whose uid maps to host root (the runner
        # started as root): a read-only view keeps global sysctls such as core_pattern out of reach.
        options += ["--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev"]
        options += self._tmpfs("/dev/shm", min(scratch, 64 * MIB))
        options += self._tmpfs("/tmp", scratch)
        options += workspace
        if "--remount-ro" in self.features:
            options += ["--remount-ro", "/dev", "--remount-ro", "/"]
        options += ["--chdir", "/box"]
        memory = limits.memory_bytes + step.extra_memory_bytes
        if step.address_space == "limit":
            address_space = memory + NATIVE_ADDRESS_SLACK
        elif self.cgroups.available:
            address_space = None
        else:
            address_space = memory + RUNTIME_ADDRESS_SLACK
        rlimits = Rlimits(
            cpu_seconds=limits.cpu_rlimit,
            address_space=address_space,
            file_size=limits.file_size_bytes,
            tasks=step.tasks + 1,
            open_files=limits.open_files,
            stack=min(memory, 256 * MIB),
        )
        group = None
        if self.cgroups.available:
            group = self.cgroups.new_group()
            try:
                # Tmpfs pages written by the program are charged to its memory group too.
                group.create(memory_bytes=memory, tasks=step.tasks + 1)
            except OSError as exc:
                group.destroy()
                return Outcome(internal_error=f"cannot create the run's cgroup: {exc}")
        job = Job(
            bwrap=self.bwrap,
            options=options,
            argv=argv,
            stdin=stdin,
            seccomp=self.seccomp_filter,
            rlimits=rlimits,
            cpu_seconds=limits.cpu_seconds,
            wall_seconds=limits.wall_seconds,
            output_cap=limits.output_bytes,
            prlimit=self.prlimit,
            cgroup=group,
            user=self.host_user,
        )
        return execute(job)

    # -- verdicts ------------------------------------------------------------------------

    def _result(self, cls, lang: Language, limits: Limits, outcome: Outcome):
        verdict = self._verdict(lang, limits, outcome)
        return cls(
            verdict=verdict,
            stdout=_decode(outcome.stdout),
            stderr=_decode(outcome.stderr),
            exit_code=outcome.exit_code,
            signal=outcome.signal,
            cpu_ms=outcome.cpu_ms,
            wall_ms=outcome.wall_ms,
            memory_kb=outcome.memory_kb,
            stdout_truncated=outcome.stdout_truncated,
            stderr_truncated=outcome.stderr_truncated,
        )

    @staticmethod
    def _verdict(lang: Language, limits: Limits, outcome: Outcome) -> str:
        if outcome.internal_error:
            logger.error("run failed: %s", outcome.internal_error)
            return "internal_error"
        if outcome.killed_for in ("wall", "cpu"):
            return "time_limit"
        if outcome.killed_for == "output":
            return "output_limit"
        if outcome.oom_killed:
            return "memory_limit"
        if outcome.signal == signal.SIGXCPU or outcome.cpu_ms > limits.cpu_seconds * 1000:
            return "time_limit"
        if outcome.signal == signal.SIGXFSZ:
            return "output_limit"
        if outcome.exit_code == 0 and outcome.signal is None:
            return "accepted"
        if any(marker in outcome.stderr for marker in lang.memory_markers):
            return "memory_limit"
        return "runtime_error"
