"""The development SMTP server, started as the Procfile starts it, keeps and prints each mail."""

import email
import email.policy
import os
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from common.messaging.testing import free_port, wait_for_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sink(tmp_path):
    """``python -m common.devsmtp`` on a free port, keeping mail in tmp_path/var/mail."""
    port = free_port()
    env = {**os.environ, "POLYCODE_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    log = (tmp_path / "smtp.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "common.devsmtp", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        assert wait_for_port(port, timeout=15), "the SMTP server did not start"
        yield port, tmp_path / "var" / "mail", tmp_path / "smtp.log"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def send(port: int, *, to: list[str], bcc: list[str] = ()) -> None:
    message = EmailMessage()
    message["From"] = "PolyCode <no-reply@polycode.localhost>"
    message["To"] = ", ".join(to)
    message["Subject"] = "Confirmez votre adresse — PolyCode"
    message.set_content("Bonjour Zoé,\nhttp://localhost:8000/emails/verify/" + "a" * 80 + "\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.send_message(message, to_addrs=[*to, *bcc])


def test_each_mail_is_kept_as_an_eml_file_with_its_envelope_recipients(sink):
    port, directory, _ = sink

    send(port, to=["zoe@example.com"], bcc=["audit@example.com"])
    send(port, to=["sam@example.com"])

    files = wait_until(
        lambda: sorted(directory.glob("*.eml")) if len(list(directory.glob("*.eml"))) == 2 else None
    )
    first = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert first["X-RcptTo"] == "zoe@example.com, audit@example.com"
    assert first["Subject"] == "Confirmez votre adresse — PolyCode"
    assert "/emails/verify/" + "a" * 80 in first.get_body().get_content()
    assert "sam@example.com" in files[1].read_text()
    assert not list(directory.glob("*.part"))


def test_each_mail_is_printed_decoded_with_where_it_was_kept(sink):
    port, directory, log = sink

    send(port, to=["zoe@example.com"])

    kept = wait_until(lambda: list(directory.glob("*.eml")))
    printed = wait_until(lambda: "end of mail" in log.read_text() and log.read_text())
    assert f"mail kept in {kept[0]}" in printed
    assert "Subject: Confirmez votre adresse — PolyCode" in printed
    # The link is printed whole (not quoted-printable wrapped), so it can be opened from the terminal.
    assert "http://localhost:8000/emails/verify/" + "a" * 80 in printed
