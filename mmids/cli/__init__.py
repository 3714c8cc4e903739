"""Command-line entry points (scripts/ are thin wrappers around these)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from mmids.errors import MmidsInputError


def run_guarded(fn: Callable[[], int | None]) -> int:
    """Run an entry point; bad input prints one line and exits 2, never a traceback."""
    try:
        return fn() or 0
    except MmidsInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
