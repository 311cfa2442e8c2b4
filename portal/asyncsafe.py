"""Calling a library that runs its own event loop (``asyncio.run``, as pyHanko does) from any thread.

Where the calling thread already runs an event loop (an ASGI server, a test driving a browser), ``asyncio.run``
refuses to start; the call then runs in a short-lived thread of its own.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def call(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()
