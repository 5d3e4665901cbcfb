"""A database connection that drops is a 503 with Retry-After, never a 500 (real PostgreSQL).

In process: the session of the request's connection is ended on the server
before the request. As a server: the shop under gunicorn (two worker processes,
persistent connections) serves buyers while every session it holds is ended
again and again.
"""

import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests
from django.db import connection

from common.messaging.testing import database_url, free_port, wait_for_port
from common.testing import drop_database_connection
from extracted.shop.conftest import LOG_DIR
from extracted.shop.store.models import Order
from extracted.shop.store.tests.factories import HintItemFactory
from extracted.shop.store.tests.helpers import Learner
from extracted.shop.testing import ServiceProcess, identity_header

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ADA = Learner(id=7, username="ada", email="ada@example.com")


@pytest.fixture(autouse=True)
def _postgres_and_no_broker(settings):
    if connection.vendor != "postgresql":
        pytest.skip("ends PostgreSQL sessions")
    settings.OUTBOX_FAST_PATH = False


def test_a_purchase_on_a_dropped_database_connection_is_503_with_retry_after_and_writes_nothing():
    item = HintItemFactory(cost=30)
    client = ADA.client()
    client.api.raise_request_exception = False

    drop_database_connection()
    response = client.buy(item.id)

    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "database_unavailable"
    connection.close()  # what Django does after a request whose connection failed
    assert Order.objects.count() == 0
    assert client.buy(item.id).status_code == 202


def test_under_load_with_sessions_ended_again_and_again_the_shop_answers_503_never_500():
    item = HintItemFactory(cost=1)
    app_name = f"outage-{uuid.uuid4().hex[:8]}"
    url = database_url(connection.settings_dict) + "?" + urlencode({"application_name": app_name})
    port = free_port()
    server = ServiceProcess(
        argv=[
            sys.executable, "-m", "gunicorn", "extracted.shop.wsgi:application", "--bind",
            f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", "2", "--threads", "4",
        ],
        env={
            "DJANGO_SETTINGS_MODULE": "extracted.shop.settings.test",
            "POLYCODE_SERVICE": "shop",
            "SHOP_DATABASE_URL": url,
            "OUTBOX_FAST_PATH": "false",
            # Persistent connections, as in production: a dropped one is found by the next query.
            "CONN_MAX_AGE": "60",
        },
        log_path=LOG_DIR / "shop-outage-web.log",
        name="shop-outage-web",
    ).start()  # fmt: skip
    statuses: Counter = Counter()
    missing_retry_after = []
    stop = threading.Event()
    base = f"http://127.0.0.1:{port}"

    def buyer(number):
        session = requests.Session()
        while not stop.is_set():
            learner_id = 1000 + number * 10_000 + sum(statuses.values())
            headers = {
                **identity_header(user_id=learner_id, username=f"b{learner_id}"),
                "Idempotency-Key": uuid.uuid4().hex,
            }
            if number % 2:
                response = session.get(f"{base}/api/v1/shop/items", headers=headers, timeout=10)
            else:
                response = session.post(
                    f"{base}/api/v1/shop/purchases", json={"item_id": item.id}, headers=headers, timeout=10
                )
            statuses[response.status_code] += 1
            if response.status_code == 503 and "Retry-After" not in response.headers:
                missing_retry_after.append(response.text)

    def end_sessions():
        try:
            with connection.cursor() as cursor:
                while not stop.is_set():
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                        [app_name],
                    )
                    time.sleep(0.02)
        finally:
            connection.close()

    try:
        assert wait_for_port(port, 30), server.log_path.read_text()[-3000:]
        with ThreadPoolExecutor(max_workers=7) as pool:
            futures = [pool.submit(buyer, n) for n in range(6)]
            futures.append(pool.submit(end_sessions))
            time.sleep(4)
            stop.set()
            for future in futures:
                future.result()
        after = requests.get(
            f"{base}/api/v1/shop/items", headers=identity_header(user_id=1, username="a"), timeout=10
        )
    finally:
        server.stop()

    assert statuses[500] == 0, statuses
    assert set(statuses) <= {200, 202, 503}, statuses
    assert statuses[503] > 0, statuses  # the sessions did drop under the requests
    assert statuses[200] + statuses[202] > 0, statuses
    assert not missing_retry_after
    assert after.status_code == 200
