"""Real parallel connections for the concurrency tests (PostgreSQL row locks)."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run each job in its own thread and connection, all released together; returns results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
