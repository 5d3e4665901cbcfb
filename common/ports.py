"""Development ports of every process, moved together by one variable.

``POLYCODE_PORT_BASE`` (default 8000) is the gateway's port; every other port keeps its
distance from it, so the defaults are 8000-8005 and 1025 for the SMTP sink, and a second
stack (the browser tests) runs beside ``make run`` with another base. The Procfile and
bin/run ask this module in the shell: ``python -m common.ports monolith`` prints 8001.
"""

import os
import sys

DEFAULT_BASE = 8000
PORTS = {
    "gateway": 8000,
    "monolith": 8001,
    "shop": 8002,
    "runner": 8003,
    "mailer": 8004,
    "monolith-ws": 8005,  # the monolith's ASGI process: the live interview pad's WebSocket
    "smtp": 1025,
}


def port_base() -> int:
    return int(os.environ.get("POLYCODE_PORT_BASE") or DEFAULT_BASE)


def dev_port(name: str, base: int | None = None) -> int:
    """Port of the process ``name`` of the development stack (on ``base``, else the environment's)."""
    return PORTS[name] - DEFAULT_BASE + (port_base() if base is None else base)


def dev_url(name: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{dev_port(name)}"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PORTS:
        print(f"usage: python -m common.ports {{{','.join(PORTS)}}}", file=sys.stderr)
        return 2
    print(dev_port(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
