"""Messages for the messaging tests."""

import contracts
from contracts.mail import MAIL_REQUESTED_V1


def a_message(to: str = "ada@example.com") -> contracts.Message:
    return contracts.build(
        MAIL_REQUESTED_V1,
        {
            "kind": "team_member_removed",
            "to": to,
            "language": "en",
            "context": {"username": "ada", "team_name": "Rock"},
        },
        producer="test",
    )
