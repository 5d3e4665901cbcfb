"""kombu's file-system transport (the embedded default broker), with every file written atomically.

kombu's ``filesystem`` transport creates a message's file and then writes it, and a
consumer in another process moves any ``*.msg`` file it lists: it can take a file
before its content is there, fail on the empty JSON (the worker dies) and lose the
message. Binding a queue rewrites the exchange's table in place the same way, so two
processes starting together can read a half-written table or lose one's binding.

Here a message is written under a name consumers ignore, then renamed into place
(``rename`` is atomic within a folder), and the exchange table is rewritten the same
way under a lock file that serialises binders. Reading is kombu's own.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps, loads

#: What ``make_celery_app`` names as its transport for a ``filesystem://`` URL.
TRANSPORT = f"{__name__}:Transport"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees either the old file or the whole new one."""
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        with open(partial, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's name: consumers take files in name order and by the ".<queue>.msg" suffix.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        try:
            write_atomically(Path(self.data_folder_out) / name, str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._edit_table(exchange, lambda table: table if entry in table else [entry, *table])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        # The virtual channel's part (kombu's file-system one would rewrite the table in place).
        super(filesystem.Channel, self)._delete(queue, exchange, routing_key, pattern, *args, **kwargs)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._edit_table(exchange, lambda table: [q for q in table if q != entry])

    def _edit_table(self, exchange, change) -> None:
        """Replace ``exchange``'s table by ``change(table)``, one process at a time."""
        table_file = self._exchange_file(exchange)
        self.control_folder.mkdir(exist_ok=True)
        try:
            with open(self.control_folder / f"{exchange}.lock", "a") as guard:
                filesystem.lock(guard, filesystem.LOCK_EX)
                try:
                    table = []
                    if table_file.exists():
                        table = [filesystem.exchange_queue_t(*q) for q in loads(table_file.read_text())]
                    changed = change(table)
                    if changed != table:
                        write_atomically(table_file, str_to_bytes(dumps(changed)))
                finally:
                    filesystem.unlock(guard)
        except OSError as exc:
            raise ChannelError(f"Cannot change the bindings of {exchange!r}") from exc


class Transport(filesystem.Transport):
    Channel = Channel
