"""What one browser tab may make the server do: ASGI middleware on Streamlit's websocket.

Every student's tab talks to the server over `/_stcore/stream`, and nothing stops a hand-made
client from sending whatever it likes there. Measured before this guard: 20 reruns a second from
one client pushed another student's rerun from 0.2 s to 66 s, an 18 MB message cost 4 s of CPU,
and any client could clear every cache of the server (`clear_cache`). Per connection:

- a rerun starts only when the last one has finished and at least MIN_INTERVAL after it started;
  one asked for meanwhile waits, and a newer one replaces it (each carries every widget's value,
  so the latest loses nothing; but a fragment's rerun, such as a dashboard's timer, that replaces a
  waiting run of the whole app becomes one: `merge_reruns`). A flood costs the server what a
  student dragging a slider costs, four runs a second at most, one at a time; and a student
  dragging one sees the value they stopped at within MIN_INTERVAL plus one run, however long the
  drag (a budget of one run a second after a burst of ten, before, made that up to a second);
- a message larger than MAX_MESSAGE closes the connection (the app's own are under 2 KB);
- `clear_cache` and `set_run_on_save`, which the app's page never sends, are dropped;
- beyond BURST messages, at most RATE a second get through; the rest are dropped.

And for the whole process, a rerun those rules let start waits for its turn in guard/fair.py's
`FairShare`: one run at a time while the process's CPU is busy (more while its runs leave it idle),
the next one chosen fairly by network, then session, so that clients who keep the server busy wait
and those who were quiet go first, after one run at most. A fragment's run (page 8's answer, the
dashboard's and the pacing timers) counts like any other; it holds its turn FRAGMENT_HOLD at most.

The rules live in `RerunGate`, guard/bucket.py's `TokenBucket` and guard/fair.py's `FairShare`, plain
classes with an injectable clock.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Callable

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from guard.bucket import TokenBucket
from guard.fair import FairShare, network_of

MIN_INTERVAL = 0.25  # s between the starts of two reruns of one tab
RUN_TIMEOUT = 15.0  # s after which a run that never reported its end no longer holds reruns back
FRAGMENT_HOLD = 1.0  # s at most a fragment's run holds its turn: the server says nothing when its fragment went
IDLE_TICK, IDLE_SPAN = 0.005, 0.02  # s between looks at the process's CPU while runs wait for a slot; over what span
MAX_MESSAGE = 64 * 1024  # bytes from a client in one message
RATE, BURST = 20.0, 40  # messages a second from a client, after a burst of this many
DROPPED = frozenset({"clear_cache", "set_run_on_save", "debug_disconnect_websocket", "debug_shutdown_runtime"})
SMALL = 512  # bytes: a `script_finished` message is under 100 (with a fragment run's ids); larger ones are not parsed
STREAM_PATH = "/_stcore/stream"


class RerunGate:
    """One connection's reruns: one at a time, MIN_INTERVAL apart, the latest kept while waiting."""

    def __init__(self, min_interval: float = MIN_INTERVAL, run_timeout: float = RUN_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic, merge: Callable = lambda earlier, later: later,
                 holds: Callable = lambda message: True):  # fmt: skip
        self.min_interval, self.run_timeout, self.clock, self.merge = min_interval, run_timeout, clock, merge
        self.holds = holds  # whether the server surely reports the end of this rerun
        self.pending = None
        self.started = -math.inf  # when the last released rerun started
        self.running = False

    def offer(self, message) -> list:
        """A rerun the client asked for: what to pass on now (it, or nothing yet)."""
        self.keep(message)
        return self.release()

    def keep(self, message) -> None:
        """A rerun the client asked for waits (replacing, or merged with, the one that waited)."""
        self.pending = message if self.pending is None else self.merge(self.pending, message)

    def finished(self) -> list:
        """The server finished a run: the waiting rerun, if it may start now."""
        self.ended()
        return self.release()

    def ended(self) -> None:
        self.running = False

    def release(self) -> list:
        if self.pending is None or self.wait() > 0:
            return []
        message, self.pending = self.pending, None
        self.started, self.running = self.clock(), self.holds(message)
        return [message]

    def wait(self) -> float:
        """Seconds until the waiting rerun may start, by the clock alone (inf: until a run ends)."""
        since = self.clock() - self.started
        if self.running and since < self.run_timeout:
            return self.run_timeout - since
        return max(0.0, self.min_interval - since)


def _back_msg(data: bytes) -> BackMsg:
    message = BackMsg()
    message.ParseFromString(data)
    return message


def message_type(data: bytes) -> str | None:
    """The BackMsg's kind, or None if it is not one (Streamlit itself rejects those)."""
    try:
        return _back_msg(data).WhichOneof("type")
    except Exception:  # noqa: BLE001 - protobuf's DecodeError and friends: not ours to judge
        return None


def merge_reruns(earlier: dict, later: dict) -> dict:
    """One websocket message for two reruns of a tab: the later one, with its widget values (the
    browser sends every widget's, a fragment's rerun too), run for the whole app unless both ran the
    same fragment. Else a fragment's timer could replace a change of the sidebar, which would then
    never redraw the page."""
    first, second = _back_msg(earlier["bytes"]), _back_msg(later["bytes"])
    if first.rerun_script.fragment_id == second.rerun_script.fragment_id:
        return later
    second.rerun_script.fragment_id = ""
    second.rerun_script.is_auto_rerun = False
    return {**later, "bytes": second.SerializeToString()}


def reports_its_end(message: dict) -> bool:
    """Whether the server will say when this rerun ends. A fragment's timer may fire just as its
    fragment goes (the tab moved to another page): the server then ignores the rerun, runs nothing
    and sends no end, and waiting for it would hold the tab's next rerun for RUN_TIMEOUT."""
    return not _back_msg(message["bytes"]).rerun_script.is_auto_rerun


def turn_hold(message: dict) -> float:
    """How long at most the run of this rerun may hold its turn in the fair share: until the server
    reports its end, except a fragment's, of which the server says nothing if the fragment went."""
    return FRAGMENT_HOLD if _back_msg(message["bytes"]).rerun_script.fragment_id else RUN_TIMEOUT


def finishes_a_run(data: bytes) -> bool:
    if len(data) > SMALL:
        return False
    message = ForwardMsg()
    try:
        message.ParseFromString(data)
    except Exception:  # noqa: BLE001
        return False
    return message.WhichOneof("type") == "script_finished"


class StreamGuard:
    """ASGI middleware: applies the rules above to each connection of Streamlit's websocket; one fair
    share for all of them (the process's)."""

    def __init__(self, app, fair: FairShare | None = None, **limits):
        self.app = app
        self.limits = limits
        self.turns = _Turns(fair or FairShare())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket" or not scope["path"].endswith(STREAM_PATH):
            await self.app(scope, receive, send)
            return
        connection = _Connection(receive, send, self.turns, network_of(scope.get("client")), **self.limits)
        try:
            await self.app(scope, connection.receive, connection.send)
        finally:
            connection.close()


class _Turns:
    """The process's FairShare on the event loop: starts the runs it lets start, frees on time the
    turns held past their bound, and while runs wait for a slot, tells it every IDLE_TICK what share
    of a core the process used over the last IDLE_SPAN (FairShare.idle: if the runs it let start
    left the CPU idle, asleep or waiting for the database, one more may start)."""

    def __init__(self, fair: FairShare, tick: float = IDLE_TICK, span: float = IDLE_SPAN):
        self.fair, self.tick, self.span = fair, tick, span
        self.timer: asyncio.TimerHandle | None = None
        self.watch: asyncio.TimerHandle | None = None
        self.looks: collections.deque = collections.deque()  # (when, the process's CPU) since runs wait

    def start(self, connections: list) -> None:
        for connection in connections:
            connection.run_now()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if (wait := self.fair.next_expiry()) is not None:
            self.timer = asyncio.get_running_loop().call_later(wait, lambda: self.start(self.fair.expire()))
        self._watch()

    def _watch(self) -> None:
        now = (time.monotonic(), time.process_time())
        if not self.fair.held_up():
            self.looks.clear()
            self.looks.append(now)
            return
        while len(self.looks) > 1 and now[0] - self.looks[1][0] >= self.span:
            self.looks.popleft()
        (since, cpu), last = self.looks[0], self.looks[-1][0]
        if now[0] - last >= self.tick or len(self.looks) == 1:
            self.looks.append(now)
        if now[0] - since >= self.tick and (started := self.fair.idle((now[1] - cpu) / (now[0] - since))):
            self.looks.clear()
            self.looks.append(now)
            self.start(started)
            return
        if self.watch is None:
            self.watch = asyncio.get_running_loop().call_later(self.tick, self._tick)

    def _tick(self) -> None:
        self.watch = None
        self._watch()


class _Connection:
    def __init__(self, receive, send, turns: _Turns, network: str, min_interval: float = MIN_INTERVAL,
                 run_timeout: float = RUN_TIMEOUT, max_message: int = MAX_MESSAGE, rate: float = RATE,
                 burst: int = BURST):  # fmt: skip
        self._receive, self._send = receive, send
        self.turns, self.network = turns, network
        self.gate = RerunGate(min_interval, run_timeout, merge=merge_reruns, holds=reports_its_end)
        self.budget = TokenBucket(rate, burst)
        self.max_message = max_message
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.reader: asyncio.Task | None = None
        self.timer: asyncio.TimerHandle | None = None

    async def receive(self):
        if self.reader is None:
            self.reader = asyncio.get_running_loop().create_task(self._read())
        return await self.inbox.get()

    async def send(self, message):
        if message.get("type") == "websocket.send" and finishes_a_run(message.get("bytes") or b""):
            self.gate.ended()
            self.turns.start(self.turns.fair.end(self))
            self._ask()
        await self._send(message)

    async def _read(self) -> None:
        while True:
            message = await self._receive()
            if message["type"] != "websocket.receive" or message.get("bytes") is None:
                self.inbox.put_nowait(message)
                if message["type"] == "websocket.disconnect":
                    return
                continue
            data = message["bytes"]
            if len(data) > self.max_message:
                await self._send({"type": "websocket.close", "code": 1009, "reason": "message too big"})
                self.inbox.put_nowait({"type": "websocket.disconnect", "code": 1009})
                return
            kind = message_type(data)
            if kind in DROPPED or not self.budget.take():
                continue
            if kind == "rerun_script":
                self.gate.keep(message)
                self._ask()
            else:
                self.inbox.put_nowait(message)

    def _ask(self) -> None:
        """The waiting rerun asks the fair share for its turn once this connection's own rules let it start."""
        if self.gate.pending is None:
            return
        if (wait := self.gate.wait()) > 0:
            self._retry_in(wait)
            return
        self.turns.start(self.turns.fair.ask(self, self.network, turn_hold(self.gate.pending)))

    def run_now(self) -> None:
        """Its turn: the waiting rerun starts (the gate let it when it asked, and nothing it holds changed since)."""
        for message in self.gate.release():
            self.inbox.put_nowait(message)
            return
        self.turns.start(self.turns.fair.end(self))  # nothing waited after all: the turn goes on

    def _retry_in(self, seconds: float) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(seconds, self._retry)

    def _retry(self) -> None:
        self.timer = None
        self._ask()

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.reader is not None:
            self.reader.cancel()
        self.turns.start(self.turns.fair.leave(self))
