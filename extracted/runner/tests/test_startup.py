"""No sandbox, no service: the runner refuses to start rather than run code unsandboxed.
And where it can only use rlimits (no cgroups, unprivileged), it still contains abuse."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pyseccomp
import pytest

from extracted.runner.sandbox import Sandbox, SandboxUnavailable

ROOT = Path(__file__).resolve().parents[3]


def test_missing_bubblewrap_refuses_to_build_a_sandbox():
    with pytest.raises(SandboxUnavailable, match=r"bubblewrap .* not installed"):
        Sandbox(bwrap="/nonexistent/bwrap")


@pytest.mark.sandbox
def test_bubblewrap_that_cannot_create_namespaces_refuses_with_its_reason(tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--help" ]; then echo "--args --size --disable-userns --remount-ro"; exit 0; fi\n'
        'echo "bwrap: No permissions to creating new namespace" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    with pytest.raises(SandboxUnavailable) as caught:
        Sandbox(bwrap=str(fake), languages=["python"])
    assert "cannot build a sandbox" in str(caught.value)
    assert "namespace" in str(caught.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="only a runner started as root needs cgroups to start")
def test_root_without_cgroups_refuses_because_nproc_would_not_hold():
    with pytest.raises(SandboxUnavailable, match="RLIMIT_NPROC"):
        Sandbox(cgroups=False, languages=["python"])


def test_the_service_process_stops_with_the_reason_when_no_sandbox_can_be_built():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extracted.runner.settings.local",
        "RUNNER_BWRAP": "/nonexistent/bwrap",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import extracted.runner.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "refusing to start without a sandbox" in done.stderr
    assert "bubblewrap (bwrap) is not installed" in done.stderr


@pytest.mark.sandbox
def test_missing_libseccomp_binding_refuses_to_build_a_sandbox():
    python = "/usr/bin/python3"
    if not Path(python).exists():
        pytest.skip("no system Python here")
    own = subprocess.run([python, "-c", "import pyseccomp"], capture_output=True, check=False)
    if own.returncode == 0:
        pytest.skip("the system Python has a pyseccomp of its own")
    done = subprocess.run(
        [python, "-c", "from extracted.runner.sandbox import Sandbox; Sandbox(languages=['python'])"],
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "SandboxUnavailable: libseccomp is not available (No module named 'pyseccomp')" in done.stderr


FALLBACK_SCRIPT = textwrap.dedent(
    """
    import json
    from extracted.runner.sandbox import Sandbox
    box = Sandbox(cgroups=False, languages=["python"])
    fast = {"cpu_seconds": 1, "wall_seconds": 2, "memory_mb": 64}
    bomb = "import os\\nwhile True:\\n    try:\\n        os.fork()\\n    except OSError:\\n        pass\\n"
    memory = "blocks = []\\nwhile True:\\n    blocks.append(b'x' * (16 << 20))\\n"
    print(json.dumps({
        "report": box.report()["cgroups"],
        "hello": box.run(language="python", source="import os; print(os.getuid())").as_dict(),
        "forkbomb": box.run(language="python", source=bomb, limits=fast).verdict,
        "memory": box.run(language="python", source=memory, limits=fast).verdict,
        "spin": box.run(language="python", source="while True: pass", limits=fast).verdict,
        "after": box.run(language="python", source="print('ok')").stdout,
    }))
    """
)


@pytest.fixture
def seccomp_binding():
    """A directory an unprivileged user can read holding the library's one dependency, pyseccomp."""
    directory = Path(tempfile.mkdtemp(prefix="polycode-binding-"))
    directory.chmod(0o755)
    shutil.copy(pyseccomp.__file__, directory / "pyseccomp.py")
    (directory / "pyseccomp.py").chmod(0o644)
    yield directory
    shutil.rmtree(directory)


@pytest.mark.sandbox
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start the check as an unprivileged user")
def test_unprivileged_runner_without_cgroups_still_contains_bombs_with_rlimits(seccomp_binding):
    python = "/usr/bin/python3"
    readable = subprocess.run(
        [python, "-c", f"import os; os.listdir({str(ROOT)!r})"], user=65534, group=65534, check=False
    )
    if not Path(python).exists() or readable.returncode != 0:
        pytest.skip("the checkout or a system Python is not readable by an unprivileged user here")
    done = subprocess.run(
        [python, "-c", FALLBACK_SCRIPT],
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT}:{seccomp_binding}", "HOME": "/nonexistent"},
        user=65534,
        group=65534,
        extra_groups=[],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["report"]["enforced"] is False
    assert (result["hello"]["verdict"], result["hello"]["stdout"]) == ("accepted", "65534\n")
    assert result["forkbomb"] in ("time_limit", "runtime_error")
    assert result["memory"] == "memory_limit"
    assert result["spin"] == "time_limit"
    assert result["after"] == "ok\n"
