"""The pad's WebSocket: one consumer per editor (an interviewer or the candidate).

Who: an interviewer comes through the gateway with its identity assertion (for
the ``PAD_WEBSOCKET_SERVICE`` audience) and must belong to the pad's recruiting
team; the candidate holds the link token (in the path). Anyone else, and anyone
once the pad ended, is refused before the handshake completes (HTTP 403).

Messages (JSON, ``type``):

- server: ``hello`` {role, version, doc, language, run}; ``updates`` {version,
  updates} (accepted updates from ``version`` on, to every editor); ``rejected``
  {version} (the push was made on an older version: pull, rebase, push again);
  ``running`` {by}; ``output`` {run}; ``error`` {field, detail}; ``ended``.
- client: ``push`` {version, updates: [{clientID, changes}]}; ``pull`` {version};
  ``run`` {stdin}; ``end`` (interviewers only).

The interviewers' notes never travel here: they are saved and read on the
interviewer's page only.
"""

import logging

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from common.errors import ServiceError
from common.identity.assertion import META_KEY, InvalidAssertion, verify
from common.identity.users import resolve_page_user
from monolith.interviews.models import PadUpdate
from monolith.interviews.pad import services

logger = logging.getLogger(__name__)

HEADER = META_KEY[5:].lower().replace("_", "-").encode()  # b"x-polycode-identity"
REFUSED = 4403


def _assertion(scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            return value.decode("latin-1")
    return None


def authorise(scope):
    """(pad, author) for this connection, or ``None`` when it is refused."""
    kwargs = scope["url_route"]["kwargs"]
    token = _assertion(scope)
    try:
        identity = verify(token, audience=settings.PAD_WEBSOCKET_SERVICE) if token else None
    except InvalidAssertion:
        return None
    if identity is None and settings.REQUIRE_GATEWAY_ASSERTION:
        return None
    try:
        if kwargs["role"] == PadUpdate.Author.CANDIDATE:
            return services.pad_for_link(token=kwargs["token"]), PadUpdate.Author.CANDIDATE
        if identity is None or identity.anonymous:
            return None
        user = resolve_page_user(identity)
        pad = services.pad_for_member(user=user, public_id=kwargs["public_id"])
    except (ServiceError, InvalidAssertion):
        return None
    if pad.ended:
        return None
    return pad, PadUpdate.Author.INTERVIEWER


class PadConsumer(AsyncJsonWebsocketConsumer):
    pad_id: int | None = None

    async def connect(self):
        found = await database_sync_to_async(authorise)(self.scope)
        if found is None:
            await self.close(code=REFUSED)
            return
        pad, self.author = found
        self.pad_id = pad.id
        self.group = f"pad-{pad.id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        last = await database_sync_to_async(lambda: pad.runs.order_by("-created_at", "-id").first())()
        await self.send_json(
            {
                "type": "hello",
                "role": self.author,
                "version": pad.version,
                "doc": pad.doc,
                "language": pad.language,
                "run": services.run_json(last) if last else None,
            }
        )

    async def disconnect(self, code):
        if self.pad_id is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        try:
            if kind == "push":
                await self.on_push(content)
            elif kind == "pull":
                await self.on_pull(content)
            elif kind == "run":
                await self.on_run(content)
            elif kind == "end" and self.author == PadUpdate.Author.INTERVIEWER:
                await database_sync_to_async(self._end)()
                await self.channel_layer.group_send(self.group, {"type": "pad.ended"})
            else:
                raise ServiceError("Unknown message type.", field="type")
        except services.PadEnded:
            await self.pad_ended({})
        except ServiceError as exc:
            await self.send_json({"type": "error", "field": exc.field, "detail": exc.message})

    async def on_push(self, content):
        pushed = await database_sync_to_async(services.push)(
            pad_id=self.pad_id,
            version=content.get("version"),
            updates=content.get("updates"),
            author=self.author,
        )
        if not pushed.accepted:
            await self.send_json({"type": "rejected", "version": pushed.version})
            return
        await self.channel_layer.group_send(
            self.group, {"type": "pad.updates", "version": pushed.version, "updates": pushed.updates}
        )

    async def on_pull(self, content):
        version = content.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise ServiceError("version must be a number.", field="version")
        updates = await database_sync_to_async(services.updates_since)(pad_id=self.pad_id, version=version)
        await self.send_json({"type": "updates", "version": version, "updates": updates})

    async def on_run(self, content):
        await self.channel_layer.group_send(self.group, {"type": "pad.running", "by": self.author})
        try:
            # Not thread-sensitive: a run takes seconds and must not hold up the other editors' pushes.
            run = await sync_to_async(services.run, thread_sensitive=False)(
                pad_id=self.pad_id, by=self.author, stdin=content.get("stdin") or ""
            )
        except services.PadEnded:
            raise
        except ServiceError as exc:
            await self.channel_layer.group_send(
                self.group, {"type": "pad.output", "run": None, "error": exc.message}
            )
            return
        except Exception:
            logger.exception("pad run failed")
            await self.channel_layer.group_send(
                self.group, {"type": "pad.output", "run": None, "error": "The code runner is unavailable."}
            )
            return
        await self.channel_layer.group_send(
            self.group, {"type": "pad.output", "run": services.run_json(run), "error": ""}
        )

    def _end(self):
        pad = services.pad_by_id(pad_id=self.pad_id)
        services.pad_end(pad=pad)

    # -- group messages ----------------------------------------------------------------------
    async def pad_updates(self, event):
        await self.send_json({"type": "updates", "version": event["version"], "updates": event["updates"]})

    async def pad_running(self, event):
        await self.send_json({"type": "running", "by": event["by"]})

    async def pad_output(self, event):
        await self.send_json({"type": "output", "run": event["run"], "error": event.get("error", "")})

    async def pad_ended(self, event):
        await self.send_json({"type": "ended"})
        await self.close(code=4410)
