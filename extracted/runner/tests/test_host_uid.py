"""Sandboxed programs are never host root: checked from the host, in every language.

Inside, a program is uid 65534; what matters is the host uid its processes map
to. Every process the sandbox starts (bwrap, the sandbox's init, the compiler,
the program) is read from the host side, ``Uid:`` in ``/proc/<pid>/status``,
while a program of each language sleeps.
"""

import os
import threading
import time
from pathlib import Path

import pytest

from extracted.runner.sandbox import SandboxUnavailable
from extracted.runner.sandbox.engine import Sandbox, host_identity

pytestmark = pytest.mark.sandbox

SLEEPERS = {
    "python": "import time\ntime.sleep(1)\nprint('ok')\n",
    "javascript": "setTimeout(() => console.log('ok'), 1000);\n",
    "c": '#include <stdio.h>\n#include <unistd.h>\nint main(void) { sleep(1); puts("ok"); return 0; }\n',
    "cpp": '#include <iostream>\n#include <unistd.h>\nint main() { sleep(1); std::cout << "ok\\n"; }\n',
    "java": (
        "public class Main { public static void main(String[] a) throws Exception "
        '{ Thread.sleep(1000); System.out.println("ok"); } }\n'
    ),
    "rust": 'fn main() { std::thread::sleep(std::time::Duration::from_secs(1)); println!("ok"); }\n',
}


def _status(pid: int) -> dict[str, str]:
    fields = {}
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()
    return fields


def _descendants(root: int) -> dict[int, dict]:
    """Status of every live process below ``root`` (by parent links)."""
    statuses, children = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                statuses[int(entry)] = _status(int(entry))
            except OSError:
                continue
    for pid, status in statuses.items():
        children.setdefault(int(status["PPid"][0]), []).append(pid)
    found, todo = {}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = statuses[child]
            todo.append(child)
    return found


def _watch(box, language: str) -> tuple[dict, dict[int, dict]]:
    """Run the language's sleeper; every process seen below this one meanwhile."""
    seen: dict[int, dict] = {}
    done = threading.Event()

    def watch():
        while not done.is_set():
            seen.update(_descendants(os.getpid()))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = box.run(language=language, source=SLEEPERS[language], limits={"wall_seconds": 10})
    finally:
        done.set()
        watcher.join()
    return result.as_dict(), seen


@pytest.mark.parametrize("language", sorted(SLEEPERS))
def test_every_sandboxed_process_runs_as_an_unprivileged_host_uid(box, language):
    result, seen = _watch(box, language)

    assert (result["verdict"], result["stdout"]) == ("accepted", "ok\n"), result
    sandboxed = {pid: s for pid, s in seen.items() if len(s.get("NSpid", [])) > 1}
    assert sandboxed, "no process of the sandbox was seen from the host"
    for pid, status in seen.items():
        uids, gids = {int(u) for u in status["Uid"]}, {int(g) for g in status["Gid"]}
        assert 0 not in uids, f"{language}: host process {pid} ({status['Name']}) has uid 0: {status['Uid']}"
        assert 0 not in gids, f"{language}: host process {pid} ({status['Name']}) has gid 0: {status['Gid']}"
        assert status["CapEff"] == ["0000000000000000"], f"{language}: process {pid} holds capabilities"
    expected = box.report()["host_uid"]
    assert {int(u) for s in seen.values() for u in s["Uid"]} == {expected}
    assert expected != 0


@pytest.mark.skipif(os.geteuid() != 0, reason="only a runner running as root needs a sandbox user")
def test_a_runner_running_as_root_refuses_without_an_unprivileged_sandbox_user():
    with pytest.raises(SandboxUnavailable, match="does not exist"):
        Sandbox(user="no-such-polycode-user", languages=["python"])
    with pytest.raises(SandboxUnavailable, match="unprivileged"):
        host_identity("root")
    with pytest.raises(SandboxUnavailable, match="unprivileged"):
        host_identity(0)
    assert host_identity(4242) == (4242, 4242)  # a bare uid: its own group
