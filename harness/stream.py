"""A student's browser, reduced to Streamlit's websocket protocol (`/_stcore/stream`).

A `Student` connects as the frontend does, asks for a page with `BackMsg.rerun_script` and reads
`ForwardMsg`s until `script_finished`. Like the browser it keeps every cacheable message it was
sent and tells the server their hashes, so the server may send a reference instead of the bytes;
a reference to a message it does not hold is an error, as it would be in a browser.

Used by the benchmarks (`bench/`) and the deployment tests; it needs only `websockets`, which
Streamlit's server (uvicorn) already brings.
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

CLICK = object()  # a button's press: sent with the rerun it causes, never again (as a browser does)
WIDGET_VALUE_FIELDS = ("bool_value", "double_value", "int_value", "string_value", "double_array_value")


class ProtocolError(Exception):
    """The server sent something a browser could not have used."""


@dataclass
class Render:
    """What one script run sent: elements in order, and what it cost on the wire."""

    seconds: float = 0.0
    bytes: int = 0
    messages: int = 0
    largest: int = 0
    status: str = ""
    elements: list = field(default_factory=list)

    def of_type(self, kind: str) -> list:
        return [element for element in self.elements if element.WhichOneof("type") == kind]

    def plotly(self) -> list[dict]:
        """Each plotly chart as {'alt', 'spec', 'config'} (spec and config parsed)."""
        return [
            {
                "alt": chart.plotly_chart.alt,
                "spec": json.loads(chart.plotly_chart.spec),
                "config": json.loads(chart.plotly_chart.config or "{}"),
            }
            for chart in self.of_type("plotly_chart")
        ]

    def texts(self) -> list[str]:
        return [element.markdown.body for element in self.of_type("markdown")]

    def exceptions(self) -> list[str]:
        return [element.exception.message for element in self.of_type("exception")]


def page_cookies(base_url: str, page: str = "", query: str = "", headers: dict | None = None) -> dict[str, str]:
    """Load a page as a browser does before its websocket, and return the cookies the server set
    (class mode's browser id among them) as the header a browser sends them back in."""
    url = f"{base_url.rstrip('/')}/{page}?{query}"
    request = urllib.request.Request(url, headers={"Accept": "text/html", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as reply:
        jar = SimpleCookie()
        for header in reply.headers.get_all("Set-Cookie") or ():
            jar.load(header)
    return {"Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())}


class Student:
    """One browser tab on one page, with its own session on the server."""

    def __init__(
        self,
        base_url: str,
        page: str = "",
        query: str = "",
        timeout: float = 60.0,
        remember: bool = True,
        headers: dict | None = None,
    ):
        """`headers` go with the websocket handshake, e.g. {"Cookie": ...} as a browser would send."""
        ws_url = base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/")
        self.socket = connect(
            f"{ws_url}/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=timeout,
            compression=None,
            additional_headers=headers,
            legacy=True,  # websockets 17: a connection kept beyond one `with` block, closed by close()
        )
        self.timeout = timeout
        self.page = page
        self.query = query
        self.page_hash = ""
        self.cache: dict[str, ForwardMsg] = {}
        self.widget_ids: dict[str, str] = {}  # user key -> widget id, learnt from the elements sent
        self.widget_values: dict[str, object] = {}  # user key -> the value this student last sent
        self.timers: dict[str, float] = {}  # fragment id -> seconds between its runs (st.fragment(run_every))
        self.bytes_received = 0
        self.remember = remember  # False: never claim a cached message, so every render is sent whole

    def rerun(self, widgets: dict | None = None, query: str | None = None, fragment: str = "") -> Render:
        """Run the page as a browser does after a widget change (or its first load), and wait
        for the run to finish. `widgets` maps a widget's key to its new value; the values sent
        before go again, as a browser sends every widget's. `fragment`: a fragment's timer fired
        (one of `timers`), and only that fragment runs."""
        if query is not None:
            self.query = query
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        state.page_name = self.page
        state.fragment_id, state.is_auto_rerun = fragment, bool(fragment)
        if self.remember:
            state.cached_message_hashes.extend(self.cache)
        self.widget_values.update(widgets or {})
        for key, value in self.widget_values.items():
            _set_widget(state.widget_states.widgets.add(), self.widget_ids[key], value)
        self.widget_values = {key: value for key, value in self.widget_values.items() if value is not CLICK}
        start = time.perf_counter()
        self.socket.send(message.SerializeToString())
        return self._read_run(start, fragment_run=bool(fragment))

    def send_raw(self, data: bytes) -> None:
        self.socket.send(data)

    def _read_run(self, start: float, fragment_run: bool = False) -> Render:
        render = Render()
        deadline = start + self.timeout
        while True:
            data = self.socket.recv(timeout=max(0.0, deadline - time.perf_counter()))
            render.bytes += len(data)
            render.messages += 1
            render.largest = max(render.largest, len(data))
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "ref_hash":
                if message.ref_hash not in self.cache:
                    raise ProtocolError(f"reference to a message never sent: {message.ref_hash}")
                message = self.cache[message.ref_hash]
                kind = message.WhichOneof("type")
            elif message.metadata.cacheable:
                self.cache[message.hash] = message
            if kind == "navigation":  # the page this run is on (st.navigation)
                self.page_hash = message.navigation.page_script_hash
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                render.elements.append(element)
                self._learn_widget(element)
            elif kind == "auto_rerun":
                self.timers[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            elif kind == "page_not_found":
                raise ProtocolError(f"page not found: {self.page!r}")
            elif kind == "script_finished":
                render.status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                render.seconds = time.perf_counter() - start
                self.bytes_received += render.bytes
                if render.status == "FINISHED_SUCCESSFULLY" or render.status.startswith("FINISHED_EARLY"):
                    return render
                if fragment_run and render.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY":
                    return render
                # FINISHED_FRAGMENT_RUN_SUCCESSFULLY or a rerun that replaced this one: keep reading
                if render.status != "FINISHED_WITH_COMPILE_ERROR":
                    continue
                return render

    def _learn_widget(self, element) -> None:
        kind = element.WhichOneof("type")
        widget = getattr(element, kind, None) if kind else None
        widget_id = getattr(widget, "id", "") if widget is not None else ""
        if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2:
            self.widget_ids[widget_id.split("-", 2)[2]] = widget_id

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> Student:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _set_widget(state, widget_id: str, value) -> None:
    state.id = widget_id
    if value is CLICK:
        state.trigger_value = True
    elif isinstance(value, bool):
        state.bool_value = value
    elif isinstance(value, float):
        state.double_array_value.data.append(value)  # st.slider sends its value as a list
    elif isinstance(value, int):
        state.int_value = value
    elif isinstance(value, str):
        state.string_value = value
    else:
        raise TypeError(f"no widget value of type {type(value).__name__}")
