"""guard/stream.py: what one tab may make the server do, as rules (fake clock) and against the real
server over Streamlit's websocket (harness/stream.py), as a hostile client would try it."""

import time

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import ConnectionClosed

from guard.bucket import TokenBucket
from guard.stream import RerunGate, merge_reruns, reports_its_end
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
