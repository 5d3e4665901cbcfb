"""Mail the development SMTP sink kept (``$POLYCODE_VAR_DIR/mail/*.eml``, common/devsmtp.py)."""

import email
import email.policy
import re
import time
from email.message import EmailMessage
from pathlib import Path

LINK = re.compile(r"https?://[^\s<>\"')]+")


def mails_to(mail_dir: Path, address: str) -> list[EmailMessage]:
    """Every kept mail whose envelope names ``address``, oldest first."""
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        recipients = [r.strip().lower() for r in str(message["X-RcptTo"] or "").split(",")]
        if address.lower() in recipients:
            found.append(message)
    return found


def wait_for_mail(
    mail_dir: Path, address: str, *, containing: str = "", timeout: float = 30.0
) -> EmailMessage:
    """The latest mail to ``address`` whose text contains ``containing``, once it has arrived
    (through the queue and the mailer it takes a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mails_to(mail_dir, address) if containing in text_of(m)]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {address} containing {containing!r} after {timeout:.0f}s")
        time.sleep(0.2)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    return body.get_content() if body is not None else ""


def link_in(message: EmailMessage, path_part: str) -> str:
    """The link of ``message`` whose URL contains ``path_part`` (e.g. "/emails/verify/")."""
    links = [link for link in LINK.findall(text_of(message)) if path_part in link]
    assert links, f"no link containing {path_part!r} in the mail {message['Subject']!r}:\n{text_of(message)}"
    return links[0]
