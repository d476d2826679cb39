"""guard/stream.py: what one tab may make the server do, as rules (fake clock) and against the real
server over Streamlit's websocket (harness/stream.py), as a hostile client would try it; and
guard/fair.py: how the server's runs are shared between networks and sessions (fake clock, and the
middleware's glue on a fake app)."""

import asyncio
import random
import time

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed

from guard.bucket import TokenBucket
from guard.fair import FairShare, network_of
from guard.stream import FRAGMENT_HOLD, RUN_TIMEOUT, RerunGate, StreamGuard, merge_reruns, reports_its_end, turn_hold
from harness.stream import Student


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_rerun_waits_for_the_running_one_and_the_latest_replaces_the_rest():
    clock = Clock()
    gate = RerunGate(min_interval=0.25, run_timeout=15, clock=clock)
    assert gate.offer("first") == ["first"]
    assert gate.offer("second") == [] and gate.offer("third") == []
    clock.now += 1
    assert gate.release() == [], "still running"
    assert gate.finished() == ["third"], "the latest, once; the second is gone"
    assert gate.finished() == [] and gate.pending is None


def rerun(fragment: str = "", auto: bool = False, b3: float = -2.0) -> dict:
    message = BackMsg()
    message.rerun_script.fragment_id = fragment
    message.rerun_script.is_auto_rerun = auto
    widget = message.rerun_script.widget_states.widgets.add()
    widget.id, widget.double_value = "b3", b3
    return {"type": "websocket.receive", "bytes": message.SerializeToString()}


def parsed(message: dict):
    back = BackMsg()
    back.ParseFromString(message["bytes"])
    return back.rerun_script


def test_a_fragments_timer_cannot_swallow_a_waiting_run_of_the_whole_app():
    """A student in a class moves b3 while the pacing fragment's timer fires: the waiting full run
    becomes the fragment's message (newest widget values) run for the whole app."""
    clock = Clock()
    gate = RerunGate(min_interval=0.25, run_timeout=15, clock=clock, merge=merge_reruns)
    assert gate.offer(rerun(b3=-2.0)) != []
    gate.offer(rerun(b3=1.5))
    gate.offer(rerun(fragment="pace", auto=True, b3=1.5))
    clock.now += 1
    (released,) = gate.finished()
    assert (parsed(released).fragment_id, parsed(released).is_auto_rerun) == ("", False)
    assert parsed(released).widget_states.widgets[0].double_value == 1.5
    same = merge_reruns(rerun(fragment="pace", b3=0.0), later := rerun(fragment="pace", b3=0.5))
    assert same is later, "two runs of one fragment stay one run of it"
    assert parsed(merge_reruns(rerun(fragment="a"), rerun(fragment="b"))).fragment_id == ""


def test_a_fragments_timer_does_not_hold_the_next_rerun_waiting_for_an_end_that_may_never_come():
    clock = Clock()
    gate = RerunGate(min_interval=0.25, run_timeout=15, clock=clock, merge=merge_reruns, holds=reports_its_end)
    assert gate.offer(timer := rerun(fragment="gone", auto=True)) == [timer]
    clock.now += 0.25
    assert gate.offer(change := rerun(b3=1.0)) == [change], "not held for 15 s"
    assert gate.offer(rerun(b3=2.0)) == [] and gate.wait() == pytest.approx(15), "a full run is waited for"


def test_reruns_start_at_least_the_interval_apart_even_when_runs_are_quick():
    clock = Clock()
    gate = RerunGate(min_interval=0.25, run_timeout=15, clock=clock)
    assert gate.offer(1) == [1]
    gate.finished()
    assert gate.offer(2) == [] and gate.wait() == pytest.approx(0.25)
    clock.now += 0.25
    assert gate.release() == [2]


def test_a_dragged_slider_shows_the_value_it_stopped_at_within_the_interval_however_long_the_drag():
    """An arrow key held for 20 s (30 changes a second), each run taking 60 ms, in steps of 1 ms:
    runs start MIN_INTERVAL apart all along (a flood gets no more), and the value the key stopped
    at starts running within MIN_INTERVAL of its change, after 20 s as after the first second."""
    clock = Clock()
    gate = RerunGate(min_interval=0.25, run_timeout=15, clock=clock)
    starts, ends, last_change = [], None, None
    for tick in range(21_000):  # the key is held for the first 20 s
        clock.now = 100 + tick / 1000
        released = []
        if ends is not None and clock.now >= ends:
            released, ends = gate.finished(), None
        if tick < 20_000 and tick % 33 == 0:
            released += gate.offer(tick)
            last_change = (clock.now, tick)
        released += gate.release()  # the guard's timer, once it falls due
        for value in released:
            starts.append((clock.now, value))
            ends = clock.now + 0.06
    times = [at for at, _ in starts]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.25 - 1e-9
    assert len(starts) <= 20 * 4 + 1
    assert starts[-1][1] == last_change[1], "the last value is run"
    assert starts[-1][0] - last_change[0] <= 0.25 + 1e-9


def test_a_run_that_never_reports_its_end_stops_holding_reruns_back():
    clock = Clock()
    gate = RerunGate(min_interval=0.25, run_timeout=15, clock=clock)
    gate.offer("lost")
    assert gate.offer("next") == [] and gate.wait() == pytest.approx(15)
    clock.now += 15
    assert gate.release() == ["next"]


def test_the_budget_allows_a_burst_then_a_steady_rate():
    clock = Clock()
    budget = TokenBucket(rate=20, burst=40, clock=clock)
    assert sum(budget.take() for _ in range(100)) == 40
    clock.now += 1
    assert sum(budget.take() for _ in range(100)) == 20


def _reruns_finished(student: Student, seconds: float) -> list[str]:
    statuses, end = [], time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            data = student.socket.recv(timeout=left)
        except TimeoutError:
            break
        message = ForwardMsg()
        message.ParseFromString(data)
        if message.WhichOneof("type") == "script_finished":
            statuses.append(ForwardMsg.ScriptFinishedStatus.Name(message.script_finished))
    return statuses


def _rerun_message(student: Student) -> bytes:
    message = BackMsg()
    message.rerun_script.query_string = student.query
    message.rerun_script.page_script_hash = student.page_hash
    return message.SerializeToString()


@pytest.mark.browser
def test_a_flood_of_reruns_runs_the_script_a_few_times_not_a_hundred(app_server):
    with Student(app_server, page="softmax", query="flower=virginica&b3=-2&lang=en") as flooder:
        flooder.rerun()
        rerun = _rerun_message(flooder)
        for _ in range(100):
            flooder.send_raw(rerun)
        statuses = _reruns_finished(flooder, 3.0)
        # Without the guard: 100 runs asked for, most cut short by the next (FINISHED_EARLY_FOR_RERUN).
        assert 1 <= len(statuses) <= 3 and set(statuses) == {"FINISHED_SUCCESSFULLY"}, statuses
        with Student(app_server, page="softmax", query="flower=setosa&b3=1&lang=zh") as other:
            assert other.rerun().status == "FINISHED_SUCCESSFULLY"


@pytest.mark.browser
def test_an_oversized_message_closes_only_its_own_connection(app_server):
    with Student(app_server, page="softmax", query="b3=0.5") as attacker:
        attacker.rerun()
        attacker.send_raw(b"\x0a" * 100_000)
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(100):  # what the server had already sent, then the close
                attacker.socket.recv(timeout=10)
        assert closed.value.rcvd.code == 1009
    with Student(app_server, page="softmax", query="b3=0.5") as student:
        assert student.rerun().status == "FINISHED_SUCCESSFULLY"


@pytest.mark.browser
def test_a_client_cannot_clear_the_servers_caches_or_its_session(app_server):
    """Streamlit clears every cache of the server, and the sender's session state, on
    `clear_cache`; the guard drops it, so the session keeps the b3 its slider set."""
    with Student(app_server, page="softmax", query="flower=virginica&b3=-2&lang=en") as student:
        student.rerun()
        student.rerun({"b3": 1.25})
        clear = BackMsg()
        clear.clear_cache = True
        student.send_raw(clear.SerializeToString())
        render = student.rerun()
        names = [chart["config"]["toImageButtonOptions"]["filename"] for chart in render.plotly()]
        assert names and all("b3=1.25" in name for name in names), names


class Runs:
    """A process's runs under a FairShare, by a fake clock: each session's runs take `length` s;
    a flooding session asks again the moment its run ends, a quiet one when told."""

    def __init__(self, slots: int):
        self.clock = Clock()
        self.fair = FairShare(slots, clock=self.clock)
        self.network, self.length, self.ends, self.flooding = {}, {}, {}, set()
        self.starts: list[tuple[float, str]] = []
        self.used: dict[str, float] = {}  # run time per network

    def ask(self, session: str, network: str, length: float, flood: bool = False) -> None:
        self.network[session], self.length[session] = network, length
        if flood:
            self.flooding.add(session)
        self._started(self.fair.ask(session, network))

    def _started(self, sessions: list) -> None:
        for session in sessions:
            assert session not in self.ends, "one run at a time per session"
            self.ends[session] = self.clock.now + self.length[session]
            self.starts.append((self.clock.now, session))
        assert len(self.ends) <= self.fair.slots

    def step(self) -> str:
        """The next run to end ends (and its session asks again if it floods)."""
        session = min(self.ends, key=self.ends.get)
        self.clock.now = self.ends.pop(session)
        self.used[self.network[session]] = self.used.get(self.network[session], 0.0) + self.length[session]
        self._started(self.fair.end(session))
        if session in self.flooding:
            self._started(self.fair.ask(session, self.network[session]))
        return session

    def wait(self, seconds: float) -> None:
        """Runs go on for `seconds`."""
        until = self.clock.now + seconds
        while self.ends and min(self.ends.values()) <= until:
            self.step()
        self.clock.now = until

    def flood(self, networks: int, per_network: int) -> None:
        """`networks` networks of `per_network` sessions each asking back to back, runs of 0.2-0.4 s."""
        rng = random.Random(networks * 100 + per_network)
        for n in range(networks * per_network):
            self.ask(f"flood{n}", f"203.0.113.{n % networks}", rng.uniform(0.2, 0.4), flood=True)


@pytest.mark.parametrize("slots", [1, 2, 3])
def test_a_quiet_student_waits_for_one_run_at_most_beside_60_flooders_from_12_networks(slots):
    runs = Runs(slots)
    runs.flood(networks=12, per_network=5)
    runs.wait(120)  # two minutes of flood: each network has run about as much as the others
    for answer in range(30):  # a quiet student answering every 2-3 s
        runs.wait(2 + answer % 3 / 3)
        runs.ask("quiet", "198.51.100.7", 0.05)
        if "quiet" not in runs.ends:  # every slot busy: it starts when the first run ends, before any flooder
            assert runs.step() != "quiet" and runs.starts[-1][1] == "quiet"
        assert runs.starts[-1] == (runs.clock.now, "quiet")


def test_a_quiet_student_behind_the_flooders_own_address_goes_first_when_its_network_has_its_turn():
    runs = Runs(slots=1)
    runs.flood(networks=12, per_network=5)
    runs.wait(60)
    for _ in range(10):  # an answer every 5 s: less than a sixth of its network's twelfth
        runs.wait(5)
        asked = len(runs.starts)
        runs.ask("classmate", "203.0.113.0", 0.05)
        while "classmate" not in runs.ends:
            runs.step()
        before = [session for _, session in runs.starts[asked:-1]]
        assert not {session for session in before if runs.network[session] == "203.0.113.0"}, "none of its network"
        assert len(before) <= 2 * 11, "at most two runs of each other network (some runs are half as long)"


def test_a_lone_busy_client_runs_at_full_speed_and_keeps_no_debt_for_it():
    runs = Runs(slots=2)
    runs.ask("quiet", "198.51.100.7", 0.05)
    runs.step()  # a session that has run once and is quiet since
    runs.ask("busy", "192.0.2.1", 0.3, flood=True)
    for _ in range(1000):  # 5 minutes alone: never a moment waiting
        assert runs.step() == "busy" and runs.starts[-1] == (runs.clock.now, "busy")
    runs.ask("newcomer", "192.0.2.99", 0.3, flood=True)  # another busy one: they share, starting with it
    ends = [runs.step() for _ in range(100)]
    assert ends.count("busy") >= 45 and ends.count("newcomer") >= 45


def test_each_busy_network_gets_its_share_however_many_sessions_it_opens():
    runs = Runs(slots=1)
    for n in range(20):
        runs.ask(f"many{n}", "192.0.2.1", 0.1, flood=True)
    runs.ask("one", "192.0.2.2", 0.3, flood=True)
    runs.wait(600)
    assert runs.used["192.0.2.2"] / sum(runs.used.values()) == pytest.approx(0.5, abs=0.01)
    many = [sum(1 for _, s in runs.starts if s == f"many{n}") for n in range(20)]
    assert max(many) - min(many) <= 1, "and within a network, each session its share"


def test_every_waiting_session_starts_in_turn_whatever_it_used_before():
    """Sessions of 0.2-0.4 s runs and of 3 s runs come and go, with what they used; every one that
    waits starts within a round of its network's sessions, in each of which every other network runs
    at most as long as its own longest run and one of its own (start-time fair queuing's bound), on
    one slot and on two."""
    for slots in (1, 2):
        runs = Runs(slots)
        runs.flood(networks=6, per_network=3)
        rng = random.Random(5)
        for n in range(12):
            runs.ask(f"heavy{n}", f"192.0.2.{n % 3}", 3.0, flood=True)
            runs.wait(60 * rng.random())
            if n % 4 == 3:
                runs.fair.leave(f"heavy{n - 2}")
                runs.flooding.discard(f"heavy{n - 2}")
        asked: dict[str, float] = {}
        for _ in range(3000):
            runs.step()
            for session, state in runs.fair.sessions.items():
                if state.waiting is not None:
                    asked.setdefault(session, runs.clock.now)
                elif session in asked:
                    longest = {}
                    for other, network in runs.network.items():
                        longest[network] = max(longest.get(network, 0.0), runs.length[other])
                    mine = longest[state.network]
                    round_ = sum(mine + length for network, length in longest.items() if network != state.network)
                    bound = len(runs.fair.networks[state.network].sessions) * (round_ + mine) + max(longest.values())
                    assert runs.clock.now - asked.pop(session) <= bound, session


def test_a_run_starts_beside_the_running_one_only_while_the_cpu_is_idle_and_a_busy_one_only_if_it_is_very_idle():
    clock = Clock()
    fair = FairShare(slots=1, most=3, quiet=1.0, idle_busy=0.5, idle_quiet=0.9, clock=clock)
    assert fair.ask("busy", "192.0.2.1") == ["busy"]
    clock.now += 0.1
    assert fair.ask("running", "192.0.2.2") == [] and fair.end("busy") == ["running"]
    assert fair.ask("busy", "192.0.2.1") == []  # it ran just now: not quiet
    clock.now += 2
    assert fair.ask("quiet", "192.0.2.3") == [] and fair.held_up()
    assert fair.idle(0.95) == [], "the CPU is busy: one run at a time"
    assert fair.idle(0.7) == ["quiet"], "some CPU is free: a session that was quiet starts beside it"
    assert fair.idle(0.7) == [], "but not one that keeps running"
    assert fair.idle(0.1) == ["busy"], "the CPU is idle (its runs sleep): any"
    assert fair.ask("fourth", "192.0.2.4") == [] and fair.idle(0.1) == [], "three run: the most"
    assert fair.end("quiet") == [] and fair.idle(0.1) == ["fourth"]
    assert not fair.held_up()


def test_a_run_whose_end_never_comes_frees_its_slot_after_its_hold():
    clock = Clock()
    fair = FairShare(slots=1, clock=clock)
    assert fair.ask("timer", "192.0.2.1", hold=1.0) == ["timer"]  # a fragment that went: the server says nothing
    assert fair.ask("other", "192.0.2.2") == [] and fair.next_expiry() == pytest.approx(1.0)
    clock.now += 0.5
    assert fair.expire() == []
    clock.now += 0.5
    assert fair.expire() == ["other"] and fair.next_expiry() is None, "no bound: it holds until its end"
    assert fair.end("timer") == [], "a late end of the freed run changes nothing"
    clock.now += 0.2
    assert fair.ask("timer", "192.0.2.1", hold=1.0) == [] and fair.end("other") == ["timer"]


def test_a_connection_that_closes_mid_run_keeps_its_slot_for_its_usual_length():
    clock = Clock()
    fair = FairShare(slots=1, clock=clock)
    assert fair.ask("churn", "192.0.2.1") == ["churn"]
    clock.now += 0.5
    assert fair.end("churn") == []  # its runs take 0.5 s
    assert fair.ask("churn", "192.0.2.1") == ["churn"]
    assert fair.ask("other", "192.0.2.2") == [] and fair.ask("gone", "192.0.2.3") == []
    assert fair.leave("gone") == [], "a session that left while waiting never starts"
    clock.now += 0.25
    assert fair.leave("churn") == [], "its script goes on without it"
    assert fair.next_expiry() == pytest.approx(0.25)
    clock.now += 0.25
    assert fair.expire() == ["other"]
    assert fair.ask("again", "192.0.2.1") == [] and fair.ask("quiet", "192.0.2.4") == []
    clock.now += 0.25
    assert fair.end("other") == ["quiet"], "the network that churned has used its time"


def test_a_network_is_an_ipv4_address_or_an_ipv6_64():
    assert network_of(("198.51.100.7", 50000)) == network_of(("198.51.100.7", 50001)) == "198.51.100.7"
    assert network_of(("198.51.100.7", 1)) != network_of(("198.51.100.8", 1))
    assert network_of(("2001:db8:1:2:aaaa::1", 1)) == network_of(("2001:db8:1:2:bbbb::2", 1)) == "2001:db8:1:2::/64"
    assert network_of(("2001:db8:1:3::1", 1)) != network_of(("2001:db8:1:2::1", 1))
    assert network_of(("::ffff:198.51.100.7", 1)) == "198.51.100.7"
    assert network_of(None) == "local"


def test_a_fragments_run_holds_its_turn_briefly_a_full_run_until_its_end():
    assert turn_hold(rerun(fragment="pace", auto=True)) == FRAGMENT_HOLD
    assert turn_hold(rerun(fragment="panel")) == FRAGMENT_HOLD
    assert turn_hold(rerun()) == turn_hold(rerun(auto=True)) == RUN_TIMEOUT


def finished() -> dict:
    message = ForwardMsg()
    message.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    return {"type": "websocket.send", "bytes": message.SerializeToString()}


def test_the_middleware_starts_a_rerun_only_when_its_turn_comes():
    """Three tabs from three networks through one StreamGuard with one slot, on a fake app: a rerun
    waits while another tab's runs, starts when that run's `script_finished` goes out, and a tab that
    ran last waits behind one that has not run."""

    async def scenario():
        server_side: dict[str, tuple] = {}

        async def app(scope, receive, send):
            server_side[scope["client"][0]] = (receive, send)
            await asyncio.Event().wait()

        guard = StreamGuard(app, FairShare(slots=1, idle_busy=0, idle_quiet=0), min_interval=0)
        clients = {}
        for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
            clients[address] = asyncio.Queue()
            scope = {"type": "websocket", "path": "/_stcore/stream", "client": (address, 1)}

            async def ignore(message):
                pass

            asyncio.get_running_loop().create_task(guard(scope, clients[address].get, ignore))
        await asyncio.sleep(0)
        received = {address: [] for address in clients}

        async def read(address):
            while True:
                received[address].append(await server_side[address][0]())

        for address in clients:
            asyncio.get_running_loop().create_task(read(address))

        async def settle():
            for _ in range(20):
                await asyncio.sleep(0)

        a, b, c = clients
        await clients[a].put(rerun(b3=1.0))
        await settle()
        assert len(received[a]) == 1
        await clients[b].put(rerun(b3=2.0))
        await settle()
        assert received[b] == [], "a's run holds the one slot"
        await server_side[a][1](finished())
        await settle()
        assert len(received[b]) == 1
        await clients[a].put(rerun(b3=3.0))  # a has run, c not yet: c goes first
        await settle()
        await clients[c].put(rerun(b3=4.0))
        await settle()
        await server_side[b][1](finished())
        await settle()
        assert (len(received[a]), len(received[c])) == (1, 1)
        await server_side[c][1](finished())
        await settle()
        assert len(received[a]) == 2

    asyncio.run(scenario())
