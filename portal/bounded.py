"""Running work on untrusted input in a child process with a time and memory budget.

A thread cannot be stopped, so a thread with a timeout still burns the worker's CPU after the request has been
answered; a child process is killed when it overruns, and its memory goes with it. The child is forked (cheap on
Linux, nothing to import again) and runs only the given function: it must not touch the database or the cache.
"""

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

MEMORY_BUDGET_BYTES = 512 * 1024 * 1024


class OverBudget(Exception):
    """The work did not finish within its time, or its process died (out of memory, killed)."""


class Failed(Exception):
    """The work raised; the message names the exception it raised in the child."""


def _virtual_size() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _run(conn: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        try:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = _virtual_size() + MEMORY_BUDGET_BYTES
            resource.setrlimit(resource.RLIMIT_AS, (limit if hard < 0 else min(limit, hard), hard))
        except (OSError, ValueError):
            pass  # no /proc or no rlimit here: the time budget still holds
        conn.send((True, function(*args)))
    except BaseException as exc:  # noqa: BLE001 - everything the child meets goes back to the parent
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def call(function: Callable[..., T], *args: Any, timeout: float) -> T:
    """``function(*args)`` in a forked child; its return value must pickle. Raises ``OverBudget`` when it takes
    more than ``timeout`` seconds or dies, ``Failed`` when it raises."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(sender, function, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise OverBudget(f"no answer within {timeout} s")
        ok, value = receiver.recv()
    except (EOFError, OSError) as exc:
        raise OverBudget("the child process died") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if not ok:
        raise Failed(value)
    return value
