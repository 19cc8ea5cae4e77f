"""The garbage collector's policy for a server process (bench/RESULTS.md).

A request of the nested-list benchmark allocates ~100k objects. With the
default threshold (700) the collector ran ~60 times a request, gen2 every other
request over the whole heap: 75 ms of a 200 ms request. With 50,000, 16 such
requests in flight kept the young generation full of live objects: a
collection every 4 requests scanning them all, 3.5-4 ms a request (8 %). At
300,000 none ran in 160 requests: requests leave little cyclic garbage (~200
objects each), so a collection under load is rare, but long when it comes.

So the young generation is also collected when the process is idle: no HTTP
request in flight (checked when a request ends, and every quarter second) and
enough young objects to be worth it. Garbage then goes in the gaps between
requests, in small collections (~10,000 objects, a few milliseconds), rather
than in one pause of ~300 ms in the middle of a request. Only a process never
idle (16 heavy requests in flight without a gap) waits for the threshold. The
older generations are collected in idle moments too, as often as the
thresholds say (a full collection of what was not frozen at start-up: ~15,000
objects, 8 ms).
"""

from __future__ import annotations

import asyncio
import gc

THRESHOLDS = (300_000, 20, 10)
# young objects above which an idle moment is used to collect them
IDLE_COLLECT_AFTER = 10_000
IDLE_CHECK_SECONDS = 0.25


class Collector:
    """Counts the HTTP requests in flight and collects in idle moments."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.idle_collections = 0

    def tune(self) -> None:
        """Once the server has started: move every object made so far
        (modules, the schema, SQLAlchemy's mappers) out of the collector's
        sight, and collect the young generation far less often."""
        gc.collect()
        gc.freeze()
        gc.set_threshold(*THRESHOLDS)

    def request_started(self) -> None:
        self.in_flight += 1

    def request_ended(self) -> None:
        """After the response is sent: the gap before the next request."""
        self.in_flight -= 1
        if not self.in_flight:
            self.collect_if_idle()

    def collect_if_idle(self) -> bool:
        """One collection, if nothing is in flight and there is enough to
        collect: of the young generation, or of the older ones when as many
        younger collections ran as the thresholds say. The old generation
        must be reached here too: with young objects collected in idle
        moments, the allocation threshold that would start a full collection
        may never be crossed, and cycles that grew old would stay."""
        young, middle, old = gc.get_count()
        if self.in_flight or young < IDLE_COLLECT_AFTER:
            return False
        if old >= THRESHOLDS[2]:
            generation = 2
        elif middle >= THRESHOLDS[1]:
            generation = 1
        else:
            generation = 0
        gc.collect(generation)
        self.idle_collections += 1
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            self.collect_if_idle()


collector = Collector()
