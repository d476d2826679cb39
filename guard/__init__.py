"""What a client may make the server do: the ASGI middleware server.py puts in front of Streamlit.

- addresses.py: a page request for an unknown or malformed path is sent to a real page;
- ids.py: each browser gets the signed id class mode counts a student by;
- stream.py: what one tab may make the server do over Streamlit's websocket;
- fair.py: the process's script runs shared fairly between networks, then sessions (stream.py asks it
  before each rerun starts);
- bucket.py: the token bucket under those limits and under the class store's wrong-code throttle.

Knows nothing of Streamlit's script side, the math or the store.
"""
