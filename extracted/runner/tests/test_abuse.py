"""Hostile programs: every one is contained, and the runner keeps serving after it.

Each probe program (tests/programs/abuse.*) tries one kind of abuse chosen by the
first line of its input and prints ``<probe> ALLOWED`` or ``<probe> blocked``.
After every test the sandbox must still run a trivial program and must have left
no work directory, no cgroup and no process behind.
"""

import os
import platform
import random
import uuid
from pathlib import Path

import pytest

from extracted.runner import sandbox
from extracted.runner.settings import base as runner_settings
from extracted.runner.tests.conftest import host_processes_containing, leftovers

PROGRAMS = Path(__file__).parent / "programs"
SOURCE = {
    "python": (PROGRAMS / "abuse.py").read_text(),
    "c": (PROGRAMS / "abuse.c").read_text(),
    "javascript": (PROGRAMS / "abuse.js").read_text(),
    "java": (PROGRAMS / "Abuse.java").read_text(),
    "rust": (PROGRAMS / "abuse.rs").read_text(),
}
SECRET = f"polycode-secret-{uuid.uuid4().hex}"
SETTINGS_FILE = str(Path(runner_settings.__file__).resolve())
FAST = {"cpu_seconds": 1, "wall_seconds": 2}

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module", autouse=True)
def service_secret():
    """A secret in the service's own environment, which no sandboxed program may see."""
    os.environ["RUNNER_TEST_SECRET"] = SECRET
    yield
    del os.environ["RUNNER_TEST_SECRET"]


@pytest.fixture(autouse=True)
def still_serving_and_clean(box):
    yield
    result = box.run(language="python", source="print('still serving')")
    assert (result.verdict, result.stdout) == ("accepted", "still serving\n")
    assert leftovers(box) == {"work_dirs": [], "cgroups": []}


def probe(box, language, command, *lines, **limits):
    stdin = "\n".join([command, *lines]) + "\n"
    return box.run(language=language, source=SOURCE[language], stdin=stdin, limits=limits or None)


def assert_blocked(result, *probes):
    assert result.verdict == "accepted", (result.verdict, result.stderr, result.compile_output)
    for name in probes:
        assert f"{name} blocked" in result.stdout, result.stdout
    assert "ALLOWED" not in result.stdout.replace("scratch ALLOWED", ""), result.stdout


BOTH = pytest.mark.parametrize("language", ["python", "c"])


@BOTH
def test_no_network_to_local_services_or_dns(box, language):
    result = probe(box, language, "network")
    assert_blocked(result, "tcp 5432", "tcp 5672", "tcp 6379", "dns")
    if language == "python":
        assert "interfaces ['lo']" in result.stdout


@BOTH
def test_host_secrets_settings_and_environment_are_out_of_reach(box, language):
    result = probe(box, language, "secrets", SETTINGS_FILE)
    assert_blocked(result, "shadow", "settings")
    assert SECRET not in result.stdout
    assert "RUNNER_TEST_SECRET" not in result.stdout


def test_proc_shows_only_the_sandbox_own_processes(box):
    result = probe(box, "python", "secrets", SETTINGS_FILE)
    pids_line = next(line for line in result.stdout.splitlines() if line.startswith("pids"))
    pids = eval(pids_line.removeprefix("pids "))  # noqa: S307 - a list literal printed by the probe
    assert pids, pids_line
    assert max(pids) < 10, pids_line
    assert str(os.getpid()) not in pids_line


@BOTH
def test_nothing_outside_the_private_scratch_space_is_writable(box, language):
    marker = f"polycode-{uuid.uuid4().hex}"
    result = probe(box, language, "write", marker)
    assert_blocked(result, "/usr/polycode-x", "/etc/polycode-x", "/polycode-x", "/proc/sysrq-trigger")
    if language == "python":
        assert_blocked(result, "/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches")
    else:
        assert_blocked(result, "/proc/sys/kernel/hostname")
    assert "/tmp scratch ALLOWED" in result.stdout
    assert not Path("/tmp", marker).exists()
    assert not Path("/usr/polycode-x").exists()
    assert not Path("/polycode-x").exists()


@BOTH
def test_symlinks_and_hard_links_do_not_reach_host_files(box, language):
    assert_blocked(probe(box, language, "links"), "symlink read", "hardlink")


@BOTH
def test_no_privilege_devices_or_dangerous_system_calls(box, language):
    result = probe(box, language, "privileges")
    assert_blocked(result, "setuid 0", "dev mem", "dev sda", "ptrace", "unshare user")
    if language == "c":
        assert_blocked(result, "mknod", "mount", "unshare net", "bpf", "keyctl", "perf", "io_uring", "uid")
    else:
        assert "'CapEff:\\t0000000000000000'" in result.stdout
        assert "'NoNewPrivs:\\t1'" in result.stdout
        assert "'Seccomp:\\t2'" in result.stdout
        assert "uid 65534 65534" in result.stdout


def test_the_filter_checks_namespace_flags_terminal_injection_and_foreign_abis(box):
    result = probe(box, "c", "filter")
    assert_blocked(result, "clone newuser", "clone newns", "clone3", "tiocsti", "tiocsti high bits")
    if platform.machine() == "x86_64":
        assert_blocked(result, "x32 abi", "i386 abi")
        assert "x32 abi signal 31" in result.stdout  # SIGSYS: the filter killed the process
        assert "i386 abi signal 31" in result.stdout


@BOTH
def test_fork_bomb_is_contained(box, language):
    result = probe(box, language, "forkbomb", **FAST)
    assert result.verdict in ("time_limit", "runtime_error")
    assert result.wall_ms < 4000


@BOTH
def test_memory_bomb_is_stopped_at_the_memory_limit(box, language):
    source = SOURCE["python"] if language == "python" else None
    command = "memory" if language == "python" else "alloc"
    if source is None:
        source = (PROGRAMS / "behave.c").read_text()
    result = box.run(language=language, source=source, stdin=f"{command}\n", limits={"memory_mb": 64, **FAST})
    assert result.verdict == "memory_limit", (result.stderr, result.exit_code, result.signal)
    assert result.memory_kb <= 64 * 1024 + 1024


def test_cpu_spin_and_sleep_forever_hit_their_time_limits(box):
    spin = probe(box, "python", "spin", cpu_seconds=0.5, wall_seconds=5)
    assert spin.verdict == "time_limit"
    assert 500 <= spin.cpu_ms < 2500
    sleep = probe(box, "python", "sleep", wall_seconds=0.5)
    assert sleep.verdict == "time_limit"
    assert 500 <= sleep.wall_ms < 1500


@BOTH
def test_output_flood_is_cut_at_the_cap(box, language):
    result = probe(box, language, "flood", output_kb=16, **FAST)
    assert result.verdict == "output_limit"
    assert result.stdout_truncated
    assert len(result.stdout.encode()) == 16 * 1024


def test_files_larger_than_the_file_limit_cannot_be_written(box):
    result = probe(box, "c", "bigfile", file_size_kb=64, **FAST)
    assert result.verdict == "output_limit"
    assert "wrote" not in result.stdout


@BOTH
def test_double_forked_daemon_does_not_outlive_the_run(box, language):
    marker = f"{random.randint(10**8, 10**9)}.{random.randint(10**5, 10**6)}"
    result = probe(box, language, "daemon", marker, **FAST)
    assert result.verdict == "accepted"
    assert "parent done" in result.stdout
    assert result.wall_ms < 1500  # the run ended with its main process, not with the daemon
    assert host_processes_containing(marker) == []


def test_zombies_are_reaped_and_do_not_block_the_run(box):
    result = probe(box, "python", "zombies", **FAST)
    assert (result.verdict, result.stdout) == ("accepted", "left zombies\n")


@BOTH
def test_killing_the_parent_and_everything_else_only_hurts_the_program(box, language):
    result = probe(box, language, "killparent", **FAST)
    assert "still here" in result.stdout
    assert result.verdict == "accepted"


def test_shell_metacharacters_in_source_and_stdin_are_just_data(box):
    marker = Path("/tmp", f"polycode-pwned-{uuid.uuid4().hex}")
    payload = f"'; touch {marker}; echo '$(touch {marker})`touch {marker}`"
    source = f"# {payload}\nimport sys\nsys.stdout.write(sys.stdin.read())\n"
    result = box.run(language="python", source=source, stdin=payload)
    assert (result.verdict, result.stdout) == ("accepted", payload)
    assert not marker.exists()


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "a;touch x", "$(id)", "-o", ".hidden", "a/b", "main.py"]
)
def test_file_names_from_input_are_refused(box, name):
    with pytest.raises(sandbox.InputError) as caught:
        box.run(language="python", source="print(1)", files={name: "x"})
    assert caught.value.field == "files"


def test_a_language_name_is_never_a_command(box):
    with pytest.raises(sandbox.UnknownLanguage) as caught:
        box.run(language="python; touch /tmp/x", source="print(1)")
    assert "python" in caught.value.known


def test_compiler_cannot_include_host_files(box):
    result = box.run(language="c", source='#include "/etc/shadow"\nint main(void){return 0;}\n')
    assert result.verdict == "compile_error"
    assert "No such file" in result.compile_output
    shadow = Path("/etc/shadow")
    if shadow.exists():
        first = shadow.read_text().split(":", 1)[0]
        assert f"{first}:" not in result.compile_output


def test_javascript_is_contained_too(box):
    assert_blocked(probe(box, "javascript", "network"), "tcp 5432", "dns")
    secrets = probe(box, "javascript", "secrets", SETTINGS_FILE)
    assert_blocked(secrets, "shadow", "settings")
    assert SECRET not in secrets.stdout
    assert_blocked(probe(box, "javascript", "write"), "/usr/polycode-x", "/etc/polycode-x", "/polycode-x")
    spawned = probe(box, "javascript", "spawn")
    assert spawned.stdout == "65534\ndone\n"


@pytest.fixture(scope="module")
def compiled_probes(box):
    """Java and Rust probes, compiled once each: one judge call runs every probe."""
    cases = {
        "network": "network\n",
        "secrets": f"secrets\n{SETTINGS_FILE}\n",
        "write": "write\n",
        "extra": "threads\n",
    }
    tests = [{"id": key, "stdin": stdin, "expected_stdout": ""} for key, stdin in cases.items()]
    results = {}
    for language in ("java", "rust"):
        run_tests = (
            tests if language == "java" else [*tests[:3], {**tests[0], "id": "extra", "stdin": "spawn\n"}]
        )
        report = box.judge(language=language, source=SOURCE[language], tests=run_tests, limits=FAST)
        results[language] = {t.id: t for t in report.tests}
    return results


@pytest.mark.parametrize("language", ["java", "rust"])
def test_compiled_languages_are_contained_too(compiled_probes, language):
    tests = compiled_probes[language]
    for test in tests.values():
        assert test.verdict in ("accepted", "wrong_answer"), (language, test.id, test.stderr[-500:])
        assert "ALLOWED" not in test.stdout
    assert "tcp 5432 blocked" in tests["network"].stdout
    assert "shadow blocked" in tests["secrets"].stdout
    assert "settings blocked" in tests["secrets"].stdout
    assert SECRET not in tests["secrets"].stdout
    assert "/usr/polycode-x blocked" in tests["write"].stdout
    if language == "java":
        assert "threads limited" in tests["extra"].stdout
    else:
        assert tests["extra"].stdout == "65534\n"
