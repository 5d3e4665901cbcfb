"""The embedded file-system broker: no consumer sees a half-written message or exchange table."""

import multiprocessing
import os
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

from common.messaging import filesystem

BIG = "x" * 256_000  # slow enough to write that a reader would catch it half-written


def connect(root: Path) -> Connection:
    for name in ("queue", "control", "processed"):
        (root / name).mkdir(exist_ok=True)
    return Connection(
        "filesystem://",
        transport=filesystem.TRANSPORT,
        transport_options={
            "data_folder_in": str(root / "queue"),
            "data_folder_out": str(root / "queue"),
            "control_folder": str(root / "control"),
            "processed_folder": str(root / "processed"),
            "store_processed": False,
        },
    )


def produce(root: str, worker: int, count: int) -> None:
    with connect(Path(root)) as conn:
        queue = conn.SimpleQueue("jobs")
        for n in range(count):
            queue.put({"worker": worker, "n": n, "pad": BIG})
        queue.close()


def bind(root: str, name: str, start) -> None:
    with connect(Path(root)) as conn:
        start.wait()
        Queue(name, Exchange("events", type="direct"), routing_key=name)(conn.default_channel).declare()


def test_a_message_appears_only_whole(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).suffix == ".msg":
            # When the message becomes visible, it is whole and no other file of it was listed.
            seen.append(sorted(p.name for p in (tmp_path / "queue").glob("*.msg")))
            assert Path(src).name.startswith(".")
            assert Path(src).stat().st_size > len(BIG)
        real_replace(src, dst)

    monkeypatch.setattr(filesystem.os, "replace", replace)
    with connect(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"pad": BIG})
        assert seen == [[]]
        assert queue.get(timeout=1).payload == {"pad": BIG}
        queue.close()


def test_consumer_racing_producers_gets_every_message_whole(tmp_path):
    context = multiprocessing.get_context("spawn")
    producers = [context.Process(target=produce, args=(str(tmp_path), w, 40)) for w in range(3)]
    with connect(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        for p in producers:
            p.start()
        got = set()
        while len(got) < 120:
            message = queue.get(timeout=60)  # a torn file would raise a decode error here
            body = message.payload
            assert body["pad"] == BIG
            got.add((body["worker"], body["n"]))
            message.ack()
        queue.close()
    for p in producers:
        p.join(30)
        assert p.exitcode == 0
    assert got == {(w, n) for w in range(3) for n in range(40)}


def test_processes_binding_at_once_all_keep_their_binding(tmp_path):
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    names = [f"q{n}" for n in range(8)]
    binders = [context.Process(target=bind, args=(str(tmp_path), name, start)) for name in names]
    for p in binders:
        p.start()
    start.set()
    for p in binders:
        p.join(60)
        assert p.exitcode == 0
    with connect(tmp_path) as conn:
        table = conn.default_channel.get_table("events")
    assert sorted(entry.queue for entry in table) == names


@pytest.mark.parametrize("leftover", [".123_abc.jobs.msg.1.partial"])
def test_consumers_skip_files_being_written(tmp_path, leftover):
    with connect(tmp_path) as conn:
        (tmp_path / "queue" / leftover).write_text("{")
        queue = conn.SimpleQueue("jobs")
        with pytest.raises(queue.Empty):
            queue.get(timeout=0.2)
        queue.close()
