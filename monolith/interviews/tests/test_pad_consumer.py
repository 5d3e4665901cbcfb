"""The pad's WebSocket protocol, with the real consumer, database and in-memory channel layer.

Who may connect: the team's interviewers (through the gateway's assertion) and
the holder of the candidate's link; another team's member, a learner, a
candidate of another pad, anyone once the pad ended are refused at the handshake.
"""

import functools
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator  # (channels.testing would import daphne)
from channels_redis.core import RedisChannelLayer

from common.identity.assertion import Identity, issue
from common.identity.users import resolve_roles
from monolith.accounts.tests.factories import UserFactory
from monolith.interviews.models import Pad, PadRun, PadUpdate
from monolith.interviews.pad import services
from monolith.interviews.pad.changes import apply
from monolith.interviews.pad.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


def scenario(test):
    """An async test body run to completion from a plain test (asgiref's loop, as Channels does)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)

    return run


app = URLRouter(websocket_urlpatterns)


def assertion(user, audience="monolith_ws") -> bytes:
    identity = Identity(
        user_id=str(user.pk),
        username=user.get_username(),
        email=user.email,
        roles=resolve_roles(user),
        request_id=uuid.uuid4().hex,
    )
    return issue(identity, audience=audience).encode()


def interviewer(pad, user, audience="monolith_ws"):
    headers = [(b"x-polycode-identity", assertion(user, audience))] if user else []
    return WebsocketCommunicator(app, f"/pad/ws/i/{pad.public_id}", headers=headers)


def candidate(pad, token=None):
    return WebsocketCommunicator(app, f"/pad/ws/c/{token or services.link_token(pad)}")


@pytest.fixture
def pad(team, recruiter):
    return services.pad_open(team=team, by=recruiter, title="Pairing", language="python")


async def joined(communicator):
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "hello"
    return hello


async def refused(communicator):
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403


@scenario
async def test_pushed_update_reaches_the_other_editor_and_is_stored(pad, recruiter):
    rita, cand = interviewer(pad, recruiter), candidate(pad)
    assert (await joined(rita))["role"] == "interviewer"
    hello = await joined(cand)
    assert (hello["role"], hello["version"], hello["doc"]) == ("candidate", 0, "")

    await cand.send_json_to(
        {"type": "push", "version": 0, "updates": [{"clientID": "c1", "changes": [[0, "print(1)"]]}]}
    )
    for side in (rita, cand):
        message = await side.receive_json_from()
        assert message == {
            "type": "updates",
            "version": 0,
            "updates": [{"clientID": "c1", "changes": [[0, "print(1)"]]}],
        }
    stored = await Pad.objects.aget(pk=pad.pk)
    assert (stored.doc, stored.version) == ("print(1)", 1)
    update = await PadUpdate.objects.aget(pad=pad)
    assert (update.version, update.author) == (0, "candidate")
    await rita.disconnect()
    await cand.disconnect()


@scenario
async def test_stale_push_is_rejected_and_the_client_pulls_what_it_missed(pad, recruiter):
    rita, cand = interviewer(pad, recruiter), candidate(pad)
    await joined(rita)
    await joined(cand)
    await rita.send_json_to(
        {"type": "push", "version": 0, "updates": [{"clientID": "r", "changes": [[0, "ab"]]}]}
    )
    await rita.receive_json_from()
    await cand.receive_json_from()
    # The candidate typed on version 0 too: refused, nothing applied.
    await cand.send_json_to(
        {"type": "push", "version": 0, "updates": [{"clientID": "c", "changes": [[0, "X"]]}]}
    )
    assert await cand.receive_json_from() == {"type": "rejected", "version": 1}
    assert (await Pad.objects.aget(pk=pad.pk)).doc == "ab"
    await cand.send_json_to({"type": "pull", "version": 0})
    pulled = await cand.receive_json_from()
    assert pulled == {"type": "updates", "version": 0, "updates": [{"clientID": "r", "changes": [[0, "ab"]]}]}
    # Rebased on version 1 (as @codemirror/collab does), the same insertion is accepted.
    await cand.send_json_to(
        {"type": "push", "version": 1, "updates": [{"clientID": "c", "changes": [[0, "X"], 2]}]}
    )
    assert (await cand.receive_json_from())["version"] == 1
    assert (await Pad.objects.aget(pk=pad.pk)).doc == "Xab"
    assert await rita.receive_json_from() == {
        "type": "updates",
        "version": 1,
        "updates": [{"clientID": "c", "changes": [[0, "X"], 2]}],
    }
    await rita.disconnect()
    await cand.disconnect()


@scenario
async def test_changes_that_do_not_fit_the_document_are_refused_with_the_field(pad):
    cand = candidate(pad)
    await joined(cand)
    await cand.send_json_to({"type": "push", "version": 0, "updates": [{"clientID": "c", "changes": [5]}]})
    message = await cand.receive_json_from()
    assert (message["type"], message["field"]) == ("error", "updates")
    await cand.send_json_to({"type": "push", "version": "zero", "updates": []})
    assert (await cand.receive_json_from())["field"] == "version"
    await cand.send_json_to({"type": "dance"})
    assert (await cand.receive_json_from())["field"] == "type"
    assert await PadUpdate.objects.filter(pad=pad).acount() == 0
    await cand.disconnect()


@scenario
async def test_a_run_is_seen_by_both_sides(pad, recruiter):
    rita, cand = interviewer(pad, recruiter), candidate(pad)
    await joined(rita)
    await joined(cand)
    code = "print(input() * 2)"
    await cand.send_json_to(
        {"type": "push", "version": 0, "updates": [{"clientID": "c", "changes": [[0, code]]}]}
    )
    await rita.receive_json_from()
    await cand.receive_json_from()
    await cand.send_json_to({"type": "run", "stdin": "ab\n"})
    for side in (rita, cand):
        assert await side.receive_json_from() == {"type": "running", "by": "candidate"}
    for side in (rita, cand):
        output = await side.receive_json_from(timeout=60)
        assert output["type"] == "output", output
        assert output["run"]["stdout"].strip() == "abab"
        assert output["run"]["by"] == "candidate"
    assert await PadRun.objects.filter(pad=pad).acount() == 1
    await rita.disconnect()
    await cand.disconnect()


@scenario
async def test_ending_closes_every_editor_and_the_link_stops_working(pad, recruiter):
    rita, cand = interviewer(pad, recruiter), candidate(pad)
    await joined(rita)
    await joined(cand)
    await cand.send_json_to({"type": "end"})  # a candidate cannot end it
    assert (await cand.receive_json_from())["type"] == "error"
    await rita.send_json_to({"type": "end"})
    for side in (rita, cand):
        assert await side.receive_json_from() == {"type": "ended"}
        assert (await side.receive_output())["type"] == "websocket.close"
    assert (await Pad.objects.aget(pk=pad.pk)).ended_at is not None
    await refused(candidate(pad))
    await refused(interviewer(pad, recruiter))


@scenario
async def test_outsiders_are_refused(pad, recruiter, outsider, team):
    learner = await UserFactory._meta.model.objects.acreate(username="lea")  # no team at all
    await refused(interviewer(pad, outsider))  # another recruiting team's member
    await refused(interviewer(pad, learner))
    await refused(interviewer(pad, None))  # no assertion
    await refused(interviewer(pad, recruiter, audience="monolith"))  # an assertion for another service
    token = services.link_token(pad)
    await refused(candidate(pad, token=token[:-1] + ("B" if token.endswith("A") else "A")))  # forged
    await refused(candidate(pad, token="x" * 200))


@scenario
async def test_a_candidate_link_opens_its_own_pad_only(pad, team, recruiter):
    other = await services_pad_open(team, recruiter)
    cand = candidate(other)
    hello = await joined(cand)
    assert hello["doc"] == "other pad"
    await cand.send_json_to(
        {"type": "push", "version": 0, "updates": [{"clientID": "c", "changes": [[9], [0, "x"]]}]}
    )
    await cand.receive_json_from()
    assert (await Pad.objects.aget(pk=pad.pk)).doc == ""
    await cand.disconnect()


async def services_pad_open(team, recruiter):
    from channels.db import database_sync_to_async

    pad = await database_sync_to_async(services.pad_open)(
        team=team, by=recruiter, title="Other", language="python"
    )
    pad.initial_doc = pad.doc = "other pad"
    await pad.asave()
    return pad


def test_playback_replays_every_author(pad):
    services.push(
        pad_id=pad.id, version=0, updates=[{"clientID": "r", "changes": [[0, "a"]]}], author="interviewer"
    )
    services.push(
        pad_id=pad.id, version=1, updates=[{"clientID": "c", "changes": [1, [0, "b"]]}], author="candidate"
    )
    pad.refresh_from_db()
    frames = services.playback(pad=pad)
    assert [f["code"] for f in frames] == ["", "a", "ab"]
    assert [f["kind"] for f in frames[1:]] == ["interviewer", "candidate"]
    assert apply("", [[0, "ab"]]) == pad.doc


def test_over_the_redis_layer_two_processes_worth_of_editors_share_a_pad(pad, recruiter, settings):
    """With REDIS_URL set the layer is Redis (several monolith-ws processes): the same protocol over it."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:6379/0"], "prefix": f"test-pad-{uuid.uuid4().hex}"},
        }
    }

    @scenario
    async def run():
        assert isinstance(get_channel_layer(), RedisChannelLayer)
        rita, cand = interviewer(pad, recruiter), candidate(pad)
        await joined(rita)
        await joined(cand)
        update = {"clientID": "r", "changes": [[0, "over redis"]]}
        await rita.send_json_to({"type": "push", "version": 0, "updates": [update]})
        assert await cand.receive_json_from(timeout=5) == {
            "type": "updates",
            "version": 0,
            "updates": [update],
        }
        await rita.disconnect()
        await cand.disconnect()

    run()
    assert Pad.objects.get(pk=pad.pk).doc == "over redis"
