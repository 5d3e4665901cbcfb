"""Helpers for tests and benchmarks that need real servers: RabbitMQ, SMTP, workers.

- :class:`RabbitVhost`: a RabbitMQ virtual host of one's own (created with
  ``rabbitmqctl``, deleted afterwards with everything declared in it), so
  runs never collide on a shared broker; it can also drop every client
  connection of that vhost, to prove recovery.
- :class:`SmtpSink`: an SMTP server on loopback (aiosmtpd in a thread) that
  records what it accepted and can answer 4xx, refuse a recipient or hold a
  transaction, on demand.
- :class:`WorkerProcess`: a Celery worker in its own process group, to stop
  gracefully or kill with SIGKILL.

Only tests and benchmarks import this module (aiosmtpd is a dev requirement).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


def wait_until(
    predicate: Callable[[], object], *, timeout: float = 20.0, interval: float = 0.05, what: str = ""
):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for_port(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    """Whether something listens on ``host:port`` within ``timeout`` seconds (a server starting)."""
    deadline = time.monotonic() + timeout
    while not port_open(port, host):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def with_database(url: str, name: str) -> str:
    """``url`` (a database URL) naming the database ``name`` instead."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def database_url(settings_dict: dict) -> str:
    """A ``DATABASE_URL`` another process can use to open the same (test) database."""
    engine, name = settings_dict["ENGINE"], settings_dict["NAME"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{name}"
    if "postgresql" in engine:
        user = quote(settings_dict.get("USER") or "postgres")
        password = settings_dict.get("PASSWORD")
        auth = f"{user}:{quote(password)}" if password else user
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{auth}@{host}:{port}/{name}"
    raise ValueError(f"no URL form for database engine {engine}")


# --------------------------------------------------------------------------- RabbitMQ


def rabbitmqctl_available() -> bool:
    return shutil.which("rabbitmqctl") is not None


def _rabbitmqctl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60, check=check
    )


class RabbitVhost:
    """A virtual host of one's own on the RabbitMQ of ``base_url``."""

    def __init__(self, base_url: str, *, prefix: str = "polycode-test"):
        self.base_url = base_url
        self.name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        parts = urlsplit(base_url)
        self.user = parts.username or "guest"
        self.url = urlunsplit(parts._replace(path="/" + quote(self.name, safe="")))

    def create(self) -> RabbitVhost:
        _rabbitmqctl("add_vhost", self.name)
        _rabbitmqctl("set_permissions", "-p", self.name, self.user, ".*", ".*", ".*")
        return self

    def delete(self) -> None:
        _rabbitmqctl("delete_vhost", self.name, check=False)

    def __enter__(self) -> RabbitVhost:
        return self.create()

    def __exit__(self, *exc) -> None:
        self.delete()

    def close_all_connections(self, reason: str = "closed by test") -> None:
        """Force-close every client connection of this vhost (the broker stays up)."""
        _rabbitmqctl("close_all_connections", "-p", self.name, reason)

    def connection_count(self) -> int:
        out = _rabbitmqctl("list_connections", "vhost").stdout
        return sum(1 for line in out.splitlines() if line.strip() == self.name)

    def queue_arguments(self, queue: str) -> str:
        out = _rabbitmqctl("list_queues", "-p", self.name, "name", "arguments").stdout
        for line in out.splitlines():
            name, _, arguments = line.partition("\t")
            if name == queue:
                return arguments
        raise LookupError(f"no queue {queue!r} in vhost {self.name}")

    # -- reading queues through AMQP

    def _connection(self, *, confirm: bool = False):
        from kombu import Connection

        # Confirm mode: each publish returns once the broker acked it (raises if it refused it).
        return Connection(self.url, connect_timeout=5, transport_options={"confirm_publish": confirm})

    def declare(self, queues: list[str]) -> None:
        """Declare the topology of ``queues`` (as a publisher or a worker would)."""
        from common.messaging.broker import declare_topology

        with self._connection() as conn:
            declare_topology(conn, queues)

    def delete_queue(self, queue: str) -> None:
        with self._connection() as conn:
            conn.default_channel.queue_delete(queue)

    def message_count(self, queue: str) -> int:
        with self._connection() as conn:
            _, count, _ = conn.default_channel.queue_declare(queue=queue, passive=True)
            return count

    def publish_raw(self, queue: str, *messages: RawMessage) -> None:
        """Publish ``messages`` to ``queue``'s exchange as they are (no serializer, no checks).

        Returns once the broker confirmed every one, and raises for one no queue took.
        Without publisher confirms, RabbitMQ now and then drops the last publishes to a
        quorum queue when the connection closes right after them: a test would then wait
        for messages that were never enqueued.
        """
        from kombu import Exchange, Producer

        with self._connection(confirm=True) as conn:
            producer = Producer(conn.default_channel)
            for message in messages:
                producer.publish(
                    message.body,
                    exchange=Exchange(queue, type="topic"),
                    routing_key=queue,
                    content_type=message.content_type,
                    content_encoding="utf-8",
                    headers=message.headers,
                    mandatory=True,
                )

    def reject_all(self, queue: str) -> int:
        """Reject every message of ``queue`` without requeue (the broker dead-letters them), as a
        consumer that gave up on them would; returns how many."""
        rejected = 0
        with self._connection() as conn:
            channel = conn.default_channel
            while (message := channel.basic_get(queue=queue, no_ack=False)) is not None:
                channel.basic_reject(message.delivery_tag, requeue=False)
                rejected += 1
        return rejected

    def get_all(self, queue: str) -> list[DeadLetter]:
        """Take every message of ``queue`` (acked: they leave the queue)."""
        import json

        taken = []
        with self._connection() as conn:
            channel = conn.default_channel
            while True:
                message = channel.basic_get(queue=queue, no_ack=True)
                if message is None:
                    break
                headers = dict(message.headers or {})
                try:
                    body = json.loads(message.body)
                except ValueError:
                    body = message.body
                taken.append(DeadLetter(headers=headers, body=body))
        return taken


@dataclass(frozen=True)
class RawMessage:
    """A delivery as anyone on the broker could publish it: headers, body bytes, content type."""

    name: str
    body: bytes
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


def malformed_task_messages(task: str) -> list[RawMessage]:
    """Deliveries naming ``task`` that no producer of this system sends: every shape a worker must survive.

    Bodies that are not Celery's ``[args, kwargs, embed]``, bodies that are but with
    the wrong types, arguments the task does not take, content a worker refuses or
    cannot decode, and headers that are missing or of the wrong type.
    """
    import json

    def body(value) -> bytes:
        return json.dumps(value).encode()

    good_args = body([[{"type": "not.a.message"}], {}, None])
    shapes = [
        RawMessage("object", body({"a": 1})),
        RawMessage("null", body(None)),
        RawMessage("empty list", body([])),
        RawMessage("string", body("hello")),
        RawMessage("number", body(5)),
        RawMessage("two elements", body([[], {}])),
        RawMessage("four elements", body([[], {}, None, 1])),
        RawMessage("args not a list", body([5, {}, None])),
        RawMessage("kwargs not an object", body([[], [], None])),
        RawMessage("embed not an object", body([[], {}, 5])),
        RawMessage("embed asks for a callback", body([[], {}, {"callbacks": [{"task": task}]}])),
        RawMessage("no arguments", body([[], {}, None])),
        RawMessage("unknown keyword", body([[], {"nope": 1}, None])),
        RawMessage("argument not an envelope", body([[[1, 2]], {}, None])),
        RawMessage("invalid JSON", b"{not json"),
        RawMessage("empty body", b""),
        RawMessage("not UTF-8", b"\xff\xfe\x00"),
        RawMessage("plain text", b"hello", content_type="text/plain"),
        RawMessage("pickle", b"\x80\x04K\x01.", content_type="application/x-python-serialize"),
        RawMessage("yaml", b"a: 1", content_type="application/x-yaml"),
        RawMessage("no task header", good_args, headers={"task": None}),
        RawMessage("task header not a string", good_args, headers={"task": [task]}),
        RawMessage("no id header", good_args, headers={"id": None}),
        RawMessage("bad eta", good_args, headers={"eta": "tomorrow"}),
        RawMessage("bad expires", good_args, headers={"expires": "never"}),
        RawMessage("bad time limit", good_args, headers={"timelimit": 5}),
        RawMessage("bad retries", good_args, headers={"retries": "many"}),
        RawMessage("unknown task", good_args, headers={"task": "no.such.task"}),
    ]
    messages = []
    for shape in shapes:
        headers = {"task": task, "id": str(uuid.uuid4()), "lang": "py", **shape.headers}
        headers = {name: value for name, value in headers.items() if value is not None}
        messages.append(RawMessage(shape.name, shape.body, shape.content_type, headers))
    return messages


@dataclass
class DeadLetter:
    headers: dict
    body: object

    @property
    def task_id(self) -> str | None:
        return self.headers.get("id")

    @property
    def reason(self) -> str:
        deaths = self.headers.get("x-death") or []
        return (deaths[0].get("reason") if deaths else None) or self.headers.get("x-dead-letter-reason", "")


# --------------------------------------------------------------------------- SMTP


@dataclass
class ReceivedMail:
    recipients: list[str]
    message_id: str
    subject: str
    text: str
    html: str
    raw: bytes


@dataclass
class _Rules:
    fail_next: int = 0
    fail_reply: str = "451 4.3.0 Temporary failure, try again later"
    refused: dict[str, str] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)
    delay: float = 0.0


class SmtpSink:
    """An SMTP server on 127.0.0.1 that records every mail it accepts."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[ReceivedMail] = []
        self.rejected = 0
        self.rules = _Rules()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self.holding = 0
        self._controller = None

    # -- control

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._released.set()
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.rejected = 0
            self.rules = _Rules()
            self._released.clear()
            self.holding = 0

    def fail_next(self, count: int, reply: str = "451 4.3.0 Temporary failure, try again later") -> None:
        """Answer ``reply`` to the next ``count`` mails (at end of DATA), then accept again."""
        with self._lock:
            self.rules.fail_next, self.rules.fail_reply = count, reply

    def refuse(self, recipient: str, reply: str = "451 4.2.0 Mailbox busy, try again later") -> None:
        """Always answer ``reply`` to RCPT TO ``recipient``."""
        with self._lock:
            self.rules.refused[recipient.lower()] = reply

    def hold(self, recipient: str) -> None:
        """Block at RCPT TO ``recipient`` (nothing accepted yet) until :meth:`release`."""
        with self._lock:
            self.rules.held.add(recipient.lower())

    def release(self) -> None:
        with self._lock:
            self.rules.held.clear()
        self._released.set()

    def wait_holding(self, count: int = 1, timeout: float = 20.0) -> None:
        """Wait until ``count`` SMTP transactions are blocked on held recipients."""
        wait_until(lambda: self.holding >= count, timeout=timeout, what=f"{count} held SMTP transaction(s)")

    def set_delay(self, seconds: float) -> None:
        """Wait this long before answering each DATA (a slow server)."""
        with self._lock:
            self.rules.delay = seconds

    # -- what was received

    def mails(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.received)

    def message_id_counts(self) -> Counter:
        return Counter(mail.message_id for mail in self.mails())

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def _record(self, recipients: list[str], content: bytes) -> None:
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        text_part = parsed.get_body(("plain",))
        html_part = parsed.get_body(("html",))
        mail = ReceivedMail(
            recipients=list(recipients),
            message_id=str(parsed.get("Message-ID", "")).strip("<>"),
            subject=" ".join(str(parsed.get("Subject", "")).split()),
            text=text_part.get_content().replace("\r\n", "\n") if text_part is not None else "",
            html=html_part.get_content().replace("\r\n", "\n") if html_part is not None else "",
            raw=content,
        )
        with self._lock:
            self.received.append(mail)


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        sink = self.sink
        with sink._lock:
            refused = sink.rules.refused.get(address.lower())
            held = address.lower() in sink.rules.held
        if refused:
            with sink._lock:
                sink.rejected += 1
            return refused
        if held:
            with sink._lock:
                sink.holding += 1
            try:
                while not sink._released.is_set():
                    if server.transport is None or server.transport.is_closing():
                        return "421 4.4.2 Connection lost"
                    await asyncio.sleep(0.02)
            finally:
                with sink._lock:
                    sink.holding -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink._lock:
            delay = sink.rules.delay
            failing = sink.rules.fail_next > 0
            if failing:
                sink.rules.fail_next -= 1
                sink.rejected += 1
                reply = sink.rules.fail_reply
        if delay:
            await asyncio.sleep(delay)
        if failing:
            return reply
        sink._record(envelope.rcpt_tos, envelope.original_content or envelope.content)
        return "250 2.0.0 Message accepted for delivery"


# --------------------------------------------------------------------------- workers


class ProcessGroup:
    """A child process started in its own process group (``start_new_session=True``)."""

    process: subprocess.Popen | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, no ack, connections die."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> None:
        """Warm shutdown (SIGTERM: finish the current message), SIGKILL after ``timeout``."""
        if not self.alive:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


class WorkerProcess(ProcessGroup):
    """A Celery worker in its own process group; ``--pool=solo`` by default (one message at a time)."""

    def __init__(
        self,
        *,
        app: str,
        queue: str,
        env: dict[str, str],
        log_path: Path,
        name: str = "worker",
        pool: str = "solo",
        concurrency: int = 1,
        loglevel: str = "INFO",
    ):
        self.app, self.queue, self.env, self.log_path = app, queue, env, log_path
        self.pool, self.concurrency, self.loglevel = pool, concurrency, loglevel
        self.name = f"{name}-{uuid.uuid4().hex[:6]}"
        self.ready_file = log_path.parent / f".{self.name}.ready"
        self.process: subprocess.Popen | None = None
        self._log_offset = 0

    def start(self, *, ready_timeout: float = 60.0) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.ready_file.unlink(missing_ok=True)
        env = {
            **os.environ,
            **self.env,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "MESSAGING_READY_FILE": str(self.ready_file),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                self.app,
                "worker",
                "-Q",
                self.queue,
                f"--pool={self.pool}",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{self.name}@%h",
                "-l",
                self.loglevel,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self._ready, timeout=ready_timeout, interval=0.1, what=f"worker {self.name} ready")
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log()}")
        return self.ready_file.exists()

    def log(self) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as fh:
            fh.seek(self._log_offset)
            return fh.read().decode(errors="replace")
