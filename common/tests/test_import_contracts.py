"""The service boundaries in pyproject.toml hold on this tree, and a forbidden import breaks them.

``make lint`` runs ``lint-imports``; each forbidden import below is written into a copy of
the tree's Python packages, and the checker must fail naming the contract it breaks.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contracts", "common", "monolith", "extracted", "gateway_proxy")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _python_only(directory: str, names: list[str]) -> set[str]:
    return {
        name
        for name in names
        if name == "__pycache__" or (not name.endswith(".py") and not Path(directory, name).is_dir())
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", copy)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=_python_only)
    return copy


def test_make_lint_checks_the_import_contracts():
    lint = (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in lint


def test_the_tree_keeps_every_contract():
    done = lint_imports(ROOT)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("contracts/probe.py", "import django.db\n", "contracts imports no Django"),
        (
            "contracts/probe.py",
            "from common.identity import assertion\n",
            "contracts imports no Django",
        ),  # through common
        ("extracted/shop/probe.py", "from extracted.mailer import models\n", "no service imports another"),
        ("gateway_proxy/probe.py", "import monolith.accounts.models\n", "no service imports another"),
        (
            "monolith/accounts/probe.py",
            "from extracted.runner import sandbox\n",
            "no service imports another",
        ),
        ("extracted/runner/probe.py", "import gateway_proxy.routing\n", "no service imports another"),
        ("common/probe.py", "from extracted.shop import models\n", "common imports no service"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tree, module, source, contract):
    probe = tree / module
    probe.write_text(source)
    try:
        done = lint_imports(tree)
    finally:
        probe.unlink()

    assert done.returncode != 0
    assert f"{contract}" in done.stdout
    assert "BROKEN" in done.stdout.split(contract, 1)[1].splitlines()[0], done.stdout
    assert module.removesuffix(".py").replace("/", ".") in done.stdout
