"""Fixtures of the runner's tests: the process-wide sandbox, an API client, host checks."""

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from extracted.runner import services


@pytest.fixture(scope="session")
def box():
    """The sandbox the service uses (built once per test session)."""
    return services.get_sandbox()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def host_processes_containing(marker: str) -> list[int]:
    """Host pids whose command line or environment mentions ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        for name in ("cmdline", "environ"):
            try:
                data = (Path("/proc") / entry / name).read_bytes()
            except OSError:
                continue
            if marker.encode() in data:
                found.append(int(entry))
                break
    return found


def leftovers(box) -> dict:
    """Run directories and cgroups the sandbox should have removed."""
    runs = [p.name for p in box.root.iterdir() if p.name.startswith("run-")]
    groups = [str(p) for base in box.cgroups.bases.values() for p in base.iterdir() if p.is_dir()]
    return {"work_dirs": runs, "cgroups": groups}
