"""Run inside the monolith (its settings): the legacy path's throughput and both paths' call latency.

Arguments: number of mails to send through the legacy path, number of calls
whose latency is measured on each path. Prints one JSON line.
"""

import io
import json
import statistics
import sys
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from monolith import flags  # noqa: E402
from monolith.notifications.services import mail_request  # noqa: E402


def request(i: int) -> None:
    mail_request(
        kind="team_member_added",
        to=f"legacy-{i}@example.com",
        language=("en", "fr")[i % 2],
        context={
            "username": f"user{i}",
            "team_name": "Rock & Roll",
            "captain_username": "ada",
            "team_url": "https://polycode.example/teams/12",
        },
    )


def timed_calls(count: int, offset: int) -> list[float]:
    durations = []
    for i in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            request(offset + i)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def switch(on: bool) -> None:
    call_command(
        "waffle_switch", flags.MAIL_VIA_QUEUE, "on" if on else "off", create=True, stdout=io.StringIO()
    )


def main() -> None:
    mails, calls = int(sys.argv[1]), int(sys.argv[2])
    switch(False)
    for i in range(20):  # warm-up: templates compiled, connections made
        request(i)
    started = time.perf_counter()
    for i in range(mails):
        request(i)
    seconds = time.perf_counter() - started
    legacy = timed_calls(calls, mails)
    switch(True)
    timed_calls(20, 0)  # warm-up: the publisher's broker connection
    queue = timed_calls(calls, 0)
    switch(False)
    print(
        json.dumps(
            {
                "mails": mails,
                "seconds": round(seconds, 3),
                "emails_per_second": round(mails / seconds, 1),
                "producer_call_ms": {
                    "legacy_p50": round(statistics.median(legacy), 3),
                    "legacy_p95": round(statistics.quantiles(legacy, n=20)[18], 3),
                    "queue_p50": round(statistics.median(queue), 3),
                    "queue_p95": round(statistics.quantiles(queue, n=20)[18], 3),
                    "calls": calls,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
