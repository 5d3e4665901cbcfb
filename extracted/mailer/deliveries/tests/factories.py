"""Messages for the mailer's tests, built from the contract examples."""

import json
from pathlib import Path
from uuid import UUID

import contracts
from contracts.mail import MAIL_REQUESTED_V1

EXAMPLES = Path(__file__).resolve().parents[4] / "contracts" / "examples" / "mail.requested.v1"


def example_payload(kind: str) -> dict:
    return json.loads((EXAMPLES / f"{kind}.json").read_text())["payload"]


def mail_message(
    kind: str = "team_member_removed",
    *,
    to: str | None = None,
    language: str | None = None,
    message_id: UUID | None = None,
    **context,
) -> contracts.Message:
    """A valid ``mail.requested`` message of ``kind``; keywords override the example's values."""
    payload = example_payload(kind)
    if to is not None:
        payload["to"] = to
    if language is not None:
        payload["language"] = language
    payload["context"].update(context)
    return contracts.build(
        MAIL_REQUESTED_V1, payload, producer="test", correlation_id="req-test", message_id=message_id
    )
