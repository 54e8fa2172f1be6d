"""What a web process does once it has started, before its first request.

Python's cyclic garbage collector now and then makes a full collection, which walks every object the
process holds. A started portal holds a quarter of a million (Django, the apps, WeasyPrint, pyHanko
and the other libraries: their modules, classes and functions), all alive until the process ends:
on a 2-core machine a full collection took 200–400 ms, landing on whichever request happened to
trigger it (the admin lists' p95 spikes in tests/bench). ``gc.freeze()`` moves the objects alive now
out of the collector's reach, as the Python documentation advises for servers that start and then
serve: afterwards a full collection walks only what requests made (under a millisecond).
"""

import gc


def freeze_startup_objects():
    """Collect once, then keep every object alive now out of later collections."""
    gc.collect()
    gc.freeze()
