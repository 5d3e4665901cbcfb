"""Resource limits of one sandboxed step: defaults, maxima and validation."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from extracted.runner.sandbox.errors import LimitError

KIB = 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one run (or one judged test) may use.

    Times are in seconds, sizes in the unit their name says. ``processes``
    counts tasks (processes and threads) the program may create on top of
    what its language runtime needs; ``output_kb`` caps stdout and stderr
    each.
    """

    cpu_seconds: float = 5.0
    wall_seconds: float = 10.0
    memory_mb: int = 256
    processes: int = 64
    output_kb: int = 64
    file_size_kb: int = 1024
    open_files: int = 64

    @property
    def output_bytes(self) -> int:
        return self.output_kb * KIB

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * MIB

    @property
    def file_size_bytes(self) -> int:
        return self.file_size_kb * KIB

    @property
    def cpu_rlimit(self) -> int:
        """Whole seconds for RLIMIT_CPU (rounded up; the supervisor checks the exact value)."""
        return max(1, math.ceil(self.cpu_seconds))

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


# Per field: (type, minimum, maximum). The maxima are what a request may ask for.
BOUNDS: dict[str, tuple[type, float, float]] = {
    "cpu_seconds": (float, 0.1, 15.0),
    "wall_seconds": (float, 0.1, 20.0),
    "memory_mb": (int, 16, 512),
    "processes": (int, 1, 256),
    "output_kb": (int, 1, 1024),
    "file_size_kb": (int, 0, 16 * 1024),
    "open_files": (int, 16, 256),
}

DEFAULT_LIMITS = Limits()

# Compilers are trusted programs fed untrusted input: generous, fixed by the operator.
DEFAULT_COMPILE_LIMITS = Limits(
    cpu_seconds=30.0,
    wall_seconds=60.0,
    memory_mb=1536,
    processes=64,
    output_kb=64,
    file_size_kb=64 * 1024,
    open_files=256,
)


def limits_from(values: dict | None, *, base: Limits = DEFAULT_LIMITS, bounds=BOUNDS) -> Limits:
    """Build ``Limits`` from a partial mapping, refusing unknown fields and out-of-bound values.

    Raises ``LimitError`` naming the offending field, so an API can answer 400 with it.
    """
    if not values:
        return base
    if not isinstance(values, dict):
        raise LimitError("Limits must be an object.", field="limits")
    changes = {}
    for name, value in values.items():
        if name not in bounds:
            raise LimitError(f"Unknown limit; known limits: {', '.join(sorted(bounds))}.", field=name)
        kind, low, high = bounds[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LimitError("Must be a number.", field=name)
        if kind is int and value != int(value):
            raise LimitError("Must be a whole number.", field=name)
        if not math.isfinite(value) or value < low:
            raise LimitError(f"Must be at least {low:g}.", field=name)
        if value > high:
            raise LimitError(f"Must be at most {high:g}.", field=name)
        changes[name] = kind(value)
    return dataclasses.replace(base, **changes)
