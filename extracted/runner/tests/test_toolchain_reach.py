"""Toolchains are found where the sandbox's unprivileged user can execute them.

A virtualenv's interpreter often links to one under root's private home (pyenv); the
sandbox's user cannot execute it, so discovery must go on to the system's.
"""

import importlib
import os
import pwd
import shutil

import pytest

languages = importlib.import_module(
    "extracted.runner.sandbox.languages"
)  # the package exports a function of that name

SYSTEM_PYTHON = os.path.realpath("/usr/bin/python3")


@pytest.fixture
def private_python(tmp_path, monkeypatch):
    """A python3 first on PATH, inside a directory only root may enter."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    shutil.copy2(SYSTEM_PYTHON, private / "python3")
    monkeypatch.setenv("PATH", f"{private}{os.pathsep}{os.environ['PATH']}")
    return str(private / "python3")


@pytest.mark.sandbox
def test_an_interpreter_the_sandbox_user_cannot_reach_is_passed_over_for_the_systems(private_python):
    sandbox = pwd.getpwnam(os.environ.get("RUNNER_SANDBOX_USER", "polycode-sandbox"))
    token = languages._probe_user.set((sandbox.pw_uid, sandbox.pw_gid))
    try:
        found = languages._find(["python3"])
    finally:
        languages._probe_user.reset(token)

    assert found == SYSTEM_PYTHON


def test_probing_as_oneself_takes_the_first_on_path(private_python):
    assert languages._find(["python3"]) == private_python
