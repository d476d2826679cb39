"""The server's script runs shared fairly between networks, then between sessions: one FairShare per
process (guard/stream.py's StreamGuard), which every connection asks before a rerun starts.

Streamlit runs every session's script on the one core its process has (one interpreter lock), so
each connection's own limit (one run at a time, MIN_INTERVAL apart) still let 60 students from 12
networks answering as fast as allowed take honest answers from a p95 of 0.7 s to 6.8 s. Here:

- at most `slots` runs at a time; a run holds its slot from its start to the server's
  `script_finished` (at most `hold` seconds: a run whose end may never be reported frees it then);
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

SLOTS = 2  # runs at a time in one process
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
    def __init__(self, slots: int = SLOTS, clock: Callable[[], float] = time.monotonic):
        self.slots, self.clock = slots, clock
        self.floor = 0.0  # virtual time: that of the last network whose run started
        self.networks: dict[str, _Network] = {}
        self.sessions: dict[Hashable, _Session] = {}
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
        self.networks[state.network].sessions.discard(session)
        run = self.running.get(session)
        if run is not None:
            run.until = min(run.until, max(self.clock(), run.start + state.estimate))
        return self._admit()

    def expire(self) -> list:
        """Free the slots held past their bound (the caller's timer, after next_expiry())."""
        return self._admit()

    def next_expiry(self) -> float | None:
        """Seconds until a slot held now is freed without its end, None if no run holds one."""
        until = min((run.until for run in self.running.values()), default=math.inf)
        return None if until == math.inf else max(0.0, until - self.clock())

    def _admit(self) -> list:
        now = self.clock()
        for key, run in list(self.running.items()):
            if run.until <= now:
                del self.running[key]
                self._charge(run, run.until - run.start)
        started = []
        while len(self.running) < self.slots:
            ready = [(self.networks[s.network].time, s.time, s.waiting, key) for key, s in self.sessions.items()
                     if s.waiting is not None and key not in self.running]  # fmt: skip
            if not ready:
                break
            *_, key = min(ready, key=lambda entry: entry[:3])
            self._start(key, now)
            started.append(key)
        self._forget()
        return started

    def _start(self, key: Hashable, now: float) -> None:
        state = self.sessions[key]
        net = self.networks[state.network]
        self.floor, net.floor = max(self.floor, net.time), max(net.floor, state.time)
        net.time += state.estimate
        state.time += state.estimate
        net.running += 1
        state.waiting = None
        self.running[key] = _Run(key, state.network, now, now + state.hold, state.estimate)

    def _charge(self, run: _Run, length: float) -> None:
        """`run` took `length` s: what it was charged at its start made right."""
        net = self.networks[run.network]
        net.time += length - run.charged
        net.running -= 1
        if (state := self.sessions.get(run.session)) is not None:
            state.time += length - run.charged

    def _forget(self) -> None:
        """Networks with no session and no run, whose time a return would raise to the floor anyway."""
        if len(self.networks) > 2 * len(self.sessions) + 16:
            for name in [name for name, net in self.networks.items()
                         if not net.sessions and not net.running and net.time <= self.floor]:  # fmt: skip
                del self.networks[name]
