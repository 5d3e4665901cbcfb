"""``manage.py dead_letters QUEUE``: see, or send back, what a queue dead-lettered.

Without ``--requeue`` the messages are only listed (and stay where they are).
With ``--requeue`` each one is published again to its queue (confirmed by the
broker, its retry count reset) and only then removed from the dead-letter
queue: fix the cause first (an SMTP outage, a bug), then requeue.
"""

from django.core.management.base import BaseCommand, CommandError
from kombu import Exchange, Producer

from common.messaging import broker


class Command(BaseCommand):
    help = "List the messages of QUEUE's dead-letter queue, or publish them to QUEUE again (--requeue)."

    def add_arguments(self, parser):
        parser.add_argument(
            "queue", help="The consumer queue, e.g. mailer (its dead letters are in mailer.dead)."
        )
        parser.add_argument("--requeue", action="store_true", help="Publish them to the queue again.")
        parser.add_argument(
            "--limit", type=int, default=100, help="At most this many messages (default 100)."
        )

    def handle(self, *args, queue, requeue=False, limit=100, **options):
        app = broker.producer_app()
        if queue not in app.amqp.queues:
            raise CommandError(f"unknown queue {queue!r}; known: {', '.join(sorted(app.amqp.queues))}")
        dead = broker.dead_letter_name(queue)
        with app.connection_for_write() as connection:
            broker.declare_topology(connection, [queue])
            # On RabbitMQ this connection waits for the broker's confirm of each publish.
            channel = connection.channel()
            producer = Producer(channel)
            dead_queue = broker.dead_letter_queue(queue).bind(channel)
            count = 0
            while count < limit:
                message = dead_queue.get(no_ack=False, accept=["json"])
                if message is None:
                    break
                count += 1
                headers = dict(message.headers or {})
                deaths = headers.get("x-death") or [{}]
                reason = deaths[0].get("reason") or headers.get("x-dead-letter-reason", "")
                self.stdout.write(f"{headers.get('id', '?')}  {headers.get('task', '?')}  {reason}")
                if not requeue:
                    continue
                for key in (
                    "x-death",
                    "x-first-death-exchange",
                    "x-first-death-queue",
                    "x-first-death-reason",
                ):
                    headers.pop(key, None)
                headers["retries"] = 0
                producer.publish(
                    message.body,
                    exchange=Exchange(queue, type="topic"),
                    routing_key=queue,
                    headers=headers,
                    content_type=message.content_type,
                    content_encoding=message.content_encoding,
                    delivery_mode=2,
                    correlation_id=message.properties.get("correlation_id"),
                    serializer=None,
                )
                message.ack()
            # Listed-only messages go back to the dead-letter queue when the channel closes.
            channel.close()
        verb = "requeued" if requeue else "listed"
        self.stdout.write(f"{verb} {count} message(s) of {dead}")
