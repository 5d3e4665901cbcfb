"""The runbook as a test for the mailer: legacy → extracted → legacy → extracted with ``strangle mailer``.

A fresh monolith (gunicorn, its own PostgreSQL database) with its outbox relay, the mailer (its
web process for ``/health``, one worker on the queue ``mailer``, its own database), RabbitMQ and
the development SMTP server (``common/devsmtp.py``), which keeps every mail it accepts as a file.
With ``mail_via_queue`` off the monolith renders and sends each mail itself after its transaction
commits; on, it writes a ``mail.requested`` message to its outbox, the relay publishes it and the
mailer sends it. Learners sign up (two of them in French), and at every stage each adds an email
address through the monolith's API as the gateway sends them (their identity assertion) and one
asks for a password reset on the monolith's page; right before every step one more address is
added, and the step runs at once. After every step and every round:

- every mail asked for is delivered to the SMTP server exactly once (counted by recipient and
  subject: every added address is new, resets are counted per learner): none lost, none doubled,
  nothing else delivered;
- each mail is in its recipient's language (subject and greeting), addressed by their name;
- nothing is left pending: the monolith's outbox is published and every mailer delivery is sent;
- the mail went the way the switch named when it was asked for: the mailer's delivery log holds
  exactly the mails asked for while the switch was on, the monolith sent the others itself.

At the end, the link of a mail sent in French verifies its address.
"""

import contextlib
import re
import uuid
from collections import Counter

import pytest
import requests

from common.messaging.fixtures import rabbitmq  # noqa: F401 - fixture
from common.messaging.testing import wait_until
from gateway_proxy import switches
from gateway_proxy.tests.stack import (
    DevSmtp,
    Stack,
    as_learner,
    count,
    environ,
    register_learner,
    rows,
    strangle,
)

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

VERIFY, RESET = "email_verification", "password_reset"
#: Each kind's subject and greeting in each language (the monolith's and the mailer's templates).
SUBJECTS = {
    (VERIFY, "en"): "Confirm your email address on PolyCode",
    (VERIFY, "fr"): "Confirmez votre adresse e-mail sur PolyCode",
    (RESET, "en"): "Choose a new password on PolyCode",
    (RESET, "fr"): "Choisissez un nouveau mot de passe sur PolyCode",
}
GREETING = {"en": "Hello", "fr": "Bonjour"}
LANGUAGES = ("en", "fr", "en", "fr")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def text_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def owner(address: str) -> str:
    """The learner an address of this walk belongs to: ``<username>@…`` or ``<username>.<label>@…``."""
    return str(address).split("@")[0].split(".")[0]


@pytest.fixture(scope="module")
def mailer_stack(rabbitmq, tmp_path_factory):  # noqa: F811 - fixture
    """A monolith and its relay, a mailer and its worker on new databases, the development SMTP server."""
    stack = Stack(broker_url=rabbitmq.url)
    try:
        smtp = stack.start(DevSmtp(directory=tmp_path_factory.mktemp("mail")))
        sending = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                   "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)}  # fmt: skip
        mono_url, mail_url = stack.database("mono"), stack.database("mail")
        mono_env = stack.env("monolith", "monolith.settings.test", DATABASE_URL=mono_url, **sending)
        mail_env = stack.env("mailer", "extracted.mailer.settings.test", MAILER_DATABASE_URL=mail_url)
        # The queue's delivery limit the monolith declares it with (every service must agree on it).
        mail_env.update(sending, MESSAGING_DELIVERY_LIMIT="20")
        stack.manage(mono_env, "migrate", "-v0", "--noinput")
        stack.manage(mail_env, "migrate", "-v0", "--noinput")
        monolith = stack.web("monolith.wsgi:application", mono_env, "monolith")
        mailer = stack.web("extracted.mailer.wsgi:application", mail_env, "mailer")
        stack.worker("extracted.mailer.worker", "mailer", mail_env)
        stack.relay(mono_env, "monolith-relay")
        with environ(POLYCODE_ENV="test", DATABASE_URL=mono_url):
            yield {"monolith": monolith.url, "mailer": mailer.url, "mono_url": mono_url, "mail_url": mail_url,
                   "smtp": smtp}  # fmt: skip
    finally:
        stack.close()


@pytest.fixture
def stack(mailer_stack, register, settings, rabbitmq):  # noqa: F811 - fixture
    settings.BROKER_URL = rabbitmq.url  # the pre-check counts the mailer queue's consumers there
    register("monolith", mailer_stack["monolith"])
    register("mailer", mailer_stack["mailer"])
    return mailer_stack


class Walk:
    def __init__(self, services):
        self.monolith, self.mono, self.mail = services["monolith"], services["mono_url"], services["mail_url"]
        self.smtp: DevSmtp = services["smtp"]
        self.asked: Counter = Counter()  # (recipient, subject) → mails asked for
        self.via_mailer: Counter = Counter()  # (recipient, kind) asked for while the switch was on
        self.on = False
        tag = uuid.uuid4().hex[:6]
        self.learners = []
        for n, language in enumerate(LANGUAGES):
            learner = (*register_learner(self.monolith, f"mail{tag}{n}", language=language), language)
            self.learners.append(learner)
            self._asked(learner, learner[2], VERIFY)  # signing up mails a link to verify the address

    def _asked(self, learner, recipient: str, kind: str) -> None:
        self.asked[(recipient, SUBJECTS[(kind, learner[3])])] += 1
        if self.on:
            self.via_mailer[(recipient, kind)] += 1

    # -- what a learner does that sends them mail

    def add_address(self, learner, label: str) -> None:
        user_id, username, _, _ = learner
        address = f"{username}.{label}@example.com"
        response = requests.post(
            f"{self.monolith}/api/v1/accounts/emails", json={"email": address},
            headers=as_learner(user_id, username), timeout=30,
        )  # fmt: skip
        assert response.status_code == 201, response.text[:500]
        self._asked(learner, address, VERIFY)

    def reset_password(self, learner) -> None:
        """The password reset page, as a visitor's browser posts it (its CSRF cookie and token)."""
        browser = requests.Session()
        page = browser.get(f"{self.monolith}/password/reset/", timeout=30)
        assert page.status_code == 200, page.text[:500]
        token = CSRF.search(page.text).group(1)
        sent = browser.post(
            f"{self.monolith}/password/reset/", data={"csrfmiddlewaretoken": token, "email": learner[2]},
            allow_redirects=False, timeout=30,
        )  # fmt: skip
        assert sent.status_code == 302, sent.text[:500]
        assert sent.headers["Location"].endswith("/password/reset/done/")
        self._asked(learner, learner[2], RESET)

    def round(self, stage: int, label: str) -> None:
        for learner in self.learners:
            self.add_address(learner, label)
        self.reset_password(self.learners[stage % len(self.learners)])

    # -- the invariants

    def settled(self) -> bool:
        """The outbox published, every mailer delivery sent, as many mails kept as asked for."""
        unpublished = count(self.mono, "SELECT count(*) FROM messaging_outboxmessage WHERE sent_at IS NULL")
        unsent = count(self.mail, "SELECT count(*) FROM deliveries_deliverylog WHERE status <> 'sent'")
        delivered = len(list(self.smtp.directory.glob("*.eml")))
        return unpublished == 0 and unsent == 0 and delivered >= sum(self.asked.values())

    def check(self, when: str) -> None:
        with contextlib.suppress(AssertionError):  # what is missing is said below
            wait_until(self.settled, timeout=60, interval=0.2)
        unpublished = count(self.mono, "SELECT count(*) FROM messaging_outboxmessage WHERE sent_at IS NULL")
        unsent = count(self.mail, "SELECT count(*) FROM deliveries_deliverylog WHERE status <> 'sent'")
        assert (unpublished, unsent) == (0, 0), f"{when}: {unpublished} unpublished, {unsent} not sent"
        mails = self.smtp.mails()
        delivered = Counter((str(m["X-RcptTo"]), " ".join(str(m["Subject"]).split())) for m in mails)
        lost = self.asked - delivered
        doubled = delivered - self.asked
        assert not lost, f"{when}: not delivered: {dict(lost)}"
        assert not doubled, f"{when}: delivered more than asked: {dict(doubled)}"
        language = {username: lang for _, username, _, lang in self.learners}
        for m in mails:
            username = owner(str(m["X-RcptTo"]))
            text = text_of(m)
            assert text.startswith(f"{GREETING[language[username]]} {username},"), (when, text[:80])
        logged = Counter(rows(self.mail, "SELECT recipient, kind FROM deliveries_deliverylog"))
        assert logged == self.via_mailer, f"{when}: the mailer sent {dict(logged)}"

    def verify_latest(self, learner) -> None:
        """The link of the learner's latest verification mail verifies its address."""
        _, username, _, language = learner
        subject = SUBJECTS[(VERIFY, language)]
        theirs = [m for m in self.smtp.mails() if owner(m["X-RcptTo"]) == username]
        mail = [m for m in theirs if m["Subject"] == subject][-1]
        token = re.search(r"/emails/verify/(\S+)", text_of(mail)).group(1)
        response = requests.post(
            f"{self.monolith}/api/v1/accounts/emails/verify", json={"token": token}, headers=as_learner(),
            timeout=30,
        )  # fmt: skip
        assert response.status_code == 200, response.text[:500]
        assert response.json()["verified"] is True
        assert response.json()["email"] == str(mail["X-RcptTo"])


@pytest.mark.timeout(600)
def test_the_mailer_runbook_walk_delivers_every_mail_once_in_its_recipients_language(stack):
    assert not switches.switch_state("mail_via_queue")  # created off by the monolith's migration
    walk = Walk(stack)
    walk.check("sign-up")
    walk.round(0, "legacy")
    walk.check("mail at legacy")

    steps = [("extracted", True), ("legacy", False), ("extracted", True)]
    for stage, (target, on) in enumerate(steps, start=1):
        label = f"{target}{stage}"
        walk.add_address(walk.learners[stage % len(walk.learners)], f"before-{label}")  # not waited for
        out = strangle("mailer", target, "--reason", f"walk {label}")
        walk.on = on
        assert "FAIL" not in out, out
        assert "[ok] monolith switch API" in out
        if on:
            assert f"[ok] mailer healthy: 1 instance(s) answer /health: {stack['mailer']}/health" in out
            assert "[ok] queue mailer consumed: 1 consumer(s)" in out
            assert "switch mail_via_queue: off → on" in out
        else:
            assert "[ok] monolith healthy" in out
            assert "switch mail_via_queue: on → off" in out
        assert switches.switch_state("mail_via_queue") is on
        walk.check(f"after the step to {label}")
        walk.round(stage, label)
        walk.check(f"mail at {label}")

    status = strangle("mailer")
    assert "mailer: extracted" in status
    assert "switch mail_via_queue: on" in status
    assert sum(walk.via_mailer.values()) > 0
    assert sum(walk.asked.values()) - sum(walk.via_mailer.values()) > 0  # the monolith sent some itself
    walk.verify_latest(walk.learners[1])  # in French, sent by the mailer
