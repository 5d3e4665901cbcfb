"""A development SMTP server that prints each mail and keeps it as an .eml file.

``python -m common.devsmtp`` (the Procfile's ``smtp`` process) listens on 127.0.0.1 at the
SMTP port of ``common.ports`` and writes every message it accepts to
``$POLYCODE_VAR_DIR/mail/<received>-<id>.eml``: open one in a mail client, or read it from a
test. Nothing is relayed anywhere. Built on aiosmtpd's handler API.
"""

import argparse
import asyncio
import contextlib
import email
import email.policy
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from aiosmtpd.smtp import SMTP, Envelope, Session

from common.ports import dev_port


def mail_dir() -> Path:
    from common.settings.base import VAR_DIR  # the one place VAR_DIR is decided

    return VAR_DIR / "mail"


class KeepingHandler:
    """aiosmtpd handler: every accepted message is written to ``directory`` and printed."""

    def __init__(self, directory: Path, out=sys.stdout):
        self.directory = directory
        self.out = out
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # The envelope's recipients (Bcc included) are kept as a header, as aiosmtpd's own handlers do.
        raw = f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n".encode() + envelope.original_content
        path = self.keep(raw)
        self.show(raw, path)
        return "250 Message accepted for delivery"

    def keep(self, raw: bytes) -> Path:
        received = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
        path = self.directory / f"{received}-{uuid4().hex[:8]}.eml"
        # Written aside then renamed, so a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(raw)
        os.replace(partial, path)
        return path

    def show(self, raw: bytes, path: Path) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        lines = [
            f"---------- mail kept in {path}",
            f"From: {message['From']}",
            f"To: {message['X-RcptTo']}",
            f"Subject: {message['Subject']}",
            "",
            body.get_content().rstrip() if body is not None else "(no text part)",
            "---------- end of mail",
        ]
        print("\n".join(lines), file=self.out, flush=True)


async def serve(host: str, port: int, directory: Path) -> None:
    handler = KeepingHandler(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, enable_SMTPUTF8=True), host, port)
    print(f"development SMTP server on {host}:{port}, keeping mail in {directory}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=dev_port("smtp"))
    parser.add_argument("--dir", type=Path, default=None, help="where to keep mail (default: var/mail)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it is meant to stop
        asyncio.run(serve(args.host, args.port, args.dir or mail_dir()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
