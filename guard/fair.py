"""The server's script runs shared fairly between networks, then between sessions: one FairShare per
process (guard/stream.py's StreamGuard), which every connection asks before a rerun starts.

Streamlit runs every session's script on the one core its process has (one interpreter lock), so
each connection's own limit (one run at a time, MIN_INTERVAL apart) still let 60 students from 12
networks answering as fast as allowed take honest answers from a p95 of 0.7 s to 6.8 s. Here:

- `slots` runs at a time (one: a run beside another takes twice as long); a run holds its slot from
  its start to the server's `script_finished` (at most `hold` seconds: a run whose end may never be
  reported frees it then);
- a run that waits starts beside the others, up to `most` at a time, when the process's CPU is not
  busy (the caller measures it, `idle`): below `idle_busy` of a core (the runs sleep, as page 1's
  paint pause does, or wait for the database), any session's; below `idle_quiet`, only a quiet
  session's (one that had not run for `quiet` s), so that a class that leaves the CPU half idle
  waits for nothing, while one run at a time is all a flood gets;
- when runs wait, the next to start is the session whose network, then which session within it,
  has been charged the least virtual time: start-time fair queuing, two levels. Each run is charged
  its length, from its start to its end (an estimate when it starts, its last run's, made right at
  its end), to its network and its session;
- a network or session that was quiet comes back at the current virtual time (that of the last run
  started), never behind its history nor ahead on credit it saved: it starts before every one that
  kept running, after at most one run ends; a lone busy client starts whenever a slot is free;
- every waiting session starts in turn (no starvation): each start moves its network's and its
  session's time on, and the least of them starts next.

A connection that closes mid-run leaves its script running: its slot stays taken until the run's
usual length has passed. Pure and single-threaded (the event loop's), with an injectable clock; each
call returns the sessions that may start now.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

SLOTS = 1  # runs at a time in one process while its CPU is busy
MOST = 8  # runs at a time in one process, when its CPU is not
IDLE_BUSY, IDLE_QUIET = 0.5, 0.9  # shares of a core below which any waiting run, or a quiet session's, may start
QUIET = 1.0  # s without a run after which a session is quiet
FIRST_RUN = 0.1  # s charged when a session's run starts before any of its runs was measured


def network_of(client) -> str:
    """Whose share a connection's runs count against: its address (ASGI's scope["client"], the one
    the proxy forwards behind nginx), an IPv6 one's /64."""
    host = client[0] if client else ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host or "local"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip)


@dataclass
class _Network:
    time: float = 0.0  # virtual time charged
    floor: float = 0.0  # its sessions' virtual time: that of its last run started
    sessions: set = field(default_factory=set)
    running: int = 0
    estimate: float = FIRST_RUN  # its last run's length: what a new session's first run is charged


@dataclass
class _Session:
    network: str
    time: float = 0.0
    waiting: int | None = None  # since when it waits (an order), None: it does not
    quiet: bool = True  # it had not run for QUIET s when it began to wait
    ended: float = -math.inf  # when its last run ended
    hold: float = math.inf
    estimate: float = FIRST_RUN


@dataclass
class _Run:
    session: Hashable
    network: str
    start: float
    until: float  # when its slot is freed, ended or not
    charged: float


class FairShare:
    def __init__(self, slots: int = SLOTS, most: int = MOST, quiet: float = QUIET, idle_busy: float = IDLE_BUSY,
                 idle_quiet: float = IDLE_QUIET, clock: Callable[[], float] = time.monotonic):  # fmt: skip
        self.slots, self.most, self.quiet, self.clock = slots, most, quiet, clock
        self.idle_busy, self.idle_quiet = idle_busy, idle_quiet
        self.floor = 0.0  # virtual time: that of the last network whose run started
        self.networks: dict[str, _Network] = {}
        self.sessions: dict[Hashable, _Session] = {}
        self.waiting: set = set()
        self.running: dict[Hashable, _Run] = {}
        self.order = itertools.count()

    def ask(self, session: Hashable, network: str, hold: float = math.inf) -> list:
        """`session` (of `network`) has a run to start, whose slot is freed after `hold` s at most.
        Asked again while it waits, only `hold` changes."""
        state = self.sessions.get(session)
        if state is None:
            net = self.networks.setdefault(network, _Network(time=self.floor))
            net.sessions.add(session)
            state = self.sessions[session] = _Session(network, estimate=net.estimate)
        if state.waiting is None:
            net = self.networks[state.network]
            net.time, state.time = max(net.time, self.floor), max(state.time, net.floor)
            state.waiting = next(self.order)
            state.quiet = session not in self.running and self.clock() - state.ended >= self.quiet
            self.waiting.add(session)
        state.hold = hold
        return self._admit()

    def end(self, session: Hashable) -> list:
        """The server reported the end of `session`'s run."""
        run = self.running.pop(session, None)
        if run is not None:
            length = self.clock() - run.start
            self._charge(run, length)
            self.networks[run.network].estimate = length
            if session in self.sessions:
                self.sessions[session].estimate = length
        return self._admit()

    def leave(self, session: Hashable) -> list:
        """`session`'s connection closed: it waits no longer; its run, if one, keeps its slot for its usual length."""
        state = self.sessions.pop(session, None)
        if state is None:
            return []
        self.waiting.discard(session)
        self.networks[state.network].sessions.discard(session)
        run = self.running.get(session)
        if run is not None:
            run.until = min(run.until, max(self.clock(), run.start + state.estimate))
        return self._admit()

    def expire(self) -> list:
        """Free the slots held past their bound (the caller's timer, after next_expiry())."""
        return self._admit()

    def idle(self, cpu: float) -> list:
        """The process used `cpu` of a core lately while runs waited for a slot: one more may start."""
        if cpu < self.idle_busy:
            return self._admit(extra=lambda state: True)
        if cpu < self.idle_quiet:
            return self._admit(extra=lambda state: state.quiet)
        return self._admit()

    def held_up(self) -> bool:
        """Whether a run waits only for a slot: the caller then watches the CPU for idle()."""
        return len(self.running) >= self.slots and any(key not in self.running for key in self.waiting)

    def next_expiry(self) -> float | None:
        """Seconds until a slot held now is freed without its end, None if no run holds one."""
        until = min((run.until for run in self.running.values()), default=math.inf)
        return None if until == math.inf else max(0.0, until - self.clock())

    def _admit(self, extra: Callable | None = None) -> list:
        """Who starts now: into free slots in turn, then (`extra`) one more, the first in turn that may."""
        now = self.clock()
        for key, run in list(self.running.items()):
            if run.until <= now:
                del self.running[key]
                self._charge(run, run.until - run.start)
        started = []
        while True:
            ready = [key for key in self.waiting if key not in self.running]
            if len(self.running) >= self.slots:
                if extra is None or len(self.running) >= self.most:
                    break
                ready = [key for key in ready if extra(self.sessions[key])]
                extra = None
            if not ready:
                break
            key = min(ready, key=self._turn)
            self._start(key, now)
            started.append(key)
        self._forget()
        return started

    def _turn(self, key: Hashable) -> tuple:
        """Who goes first: the network, then the session, charged the least; then who asked first."""
        state = self.sessions[key]
        return self.networks[state.network].time, state.time, state.waiting

    def _start(self, key: Hashable, now: float) -> None:
        state = self.sessions[key]
        net = self.networks[state.network]
        self.floor, net.floor = max(self.floor, net.time), max(net.floor, state.time)
        net.time += state.estimate
        state.time += state.estimate
        net.running += 1
        state.waiting = None
        self.waiting.discard(key)
        self.running[key] = _Run(key, state.network, now, now + state.hold, state.estimate)

    def _charge(self, run: _Run, length: float) -> None:
        """`run` took `length` s: what it was charged at its start made right."""
        net = self.networks[run.network]
        net.time += length - run.charged
        net.running -= 1
        if (state := self.sessions.get(run.session)) is not None:
            state.time += length - run.charged
            state.ended = run.start + length

    def _forget(self) -> None:
        """Networks with no session and no run, whose time a return would raise to the floor anyway."""
        if len(self.networks) > 2 * len(self.sessions) + 16:
            for name in [name for name, net in self.networks.items()
                         if not net.sessions and not net.running and net.time <= self.floor]:  # fmt: skip
                del self.networks[name]
