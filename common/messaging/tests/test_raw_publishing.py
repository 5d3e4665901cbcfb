"""Raw publishing of the test helpers against a real RabbitMQ: nothing published is missing.

``RabbitVhost.publish_raw`` opens a connection, publishes and closes it at once.
Unconfirmed, RabbitMQ now and then dropped the last publishes of such a batch to
a quorum queue (9 to 16 of 840 messages in two runs of five), and a test waiting
for them to be dead-lettered waited in vain.
"""

import pytest

from common.messaging.testing import RawMessage, malformed_task_messages

pytestmark = [pytest.mark.rabbitmq]

ROUNDS = 30


def test_every_raw_message_is_in_the_queue_once_publish_raw_returns(rabbitmq):
    rabbitmq.declare(["mailer"])
    rabbitmq.get_all("mailer")
    messages = malformed_task_messages("mailer.send")
    try:
        for done in range(1, ROUNDS + 1):
            rabbitmq.publish_raw("mailer", *messages)
            assert rabbitmq.message_count("mailer") == done * len(messages)
    finally:
        rabbitmq.get_all("mailer")


def test_a_raw_message_no_queue_takes_is_not_reported_as_published(rabbitmq):
    rabbitmq.declare(["mailer"])
    rabbitmq.delete_queue("mailer")
    try:
        with pytest.raises(Exception, match="NO_ROUTE"):
            rabbitmq.publish_raw(
                "mailer", RawMessage("lost", b"[[], {}, null]", headers={"task": "t", "id": "1"})
            )
    finally:
        rabbitmq.declare(["mailer"])
