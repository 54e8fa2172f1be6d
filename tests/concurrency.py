"""Running service calls at the same moment from several threads, each with its own
database connection, to prove what row locks guarantee."""

import os
import threading

import pytest
from django.db import connection, connections

# SQLite locks the whole file and answers a second writer with "database is locked";
# the threaded tests need PostgreSQL's row locks. Under the test command
# (REQUIRE_SERVICES=1) they always run.
needs_row_locks = pytest.mark.skipif(
    connection.vendor == "sqlite" and not os.environ.get("REQUIRE_SERVICES"),
    reason="SQLite has no row locks; threaded tests need PostgreSQL",
)


def run_in_threads(functions, *, timeout=120):
    """Start all functions together (a barrier) and return their results or exceptions, in order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as exc:  # the caller asserts on which call failed and why
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
