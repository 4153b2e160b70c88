"""One client must not stop the server: slow or silent clients neither block other requests nor stay forever."""
import json
import selectors
import socket
import time
import urllib.request
from contextlib import ExitStack

import pytest

from served import webmap_serve

CLIENT_TIMEOUT = 5  # seconds: WEBMAP_CLIENT_TIMEOUT for this server, longer than the 2 s the probes may take
ANSWER_WITHIN = 2  # seconds a normal request may take while the slow clients hold their sockets
PROBES = ("/", "/api/collections/incidents/items?limit=1")
HALF_SENT_HEADERS = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
SHORT_BODY = (b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 1000\r\n\r\nname=editor&pass")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`webmap serve` as deployed on two cores (2 workers × 16 threads) with a short client timeout."""
    folder = tmp_path_factory.mktemp("slow-clients")
    with webmap_serve(folder, "--workers", "2", "--threads", "16", WEBMAP_CLIENT_TIMEOUT=str(CLIENT_TIMEOUT)) as base:
        for path in PROBES:  # every page built once, so the probes below time only the serving
            urllib.request.urlopen(base + path, timeout=30).close()
        yield base


def connect(base: str, stack: ExitStack) -> socket.socket:
    """Open a connection to the server, closed with `stack`."""
    return stack.enter_context(socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=5))


def assert_answered_while_held(base: str, held: list[socket.socket]) -> None:
    """Each probe is answered within ANSWER_WITHIN seconds, and the held sockets are still open afterwards."""
    for path in PROBES:
        started = time.monotonic()
        with urllib.request.urlopen(base + path, timeout=ANSWER_WITHIN) as response:
            assert response.status == 200
            response.read()
        assert time.monotonic() - started < ANSWER_WITHIN, path
    assert not closed_by_server(held, deadline=time.monotonic()), "the slow clients were dropped too early to count"


def closed_by_server(held: list[socket.socket], deadline: float, trickle: bytes = b"") -> bool:
    """Wait until the server has closed every held socket or the deadline passes; say whether it closed them all.

    With `trickle`, each socket still open sends one more byte of it every half second meanwhile.
    """
    with selectors.DefaultSelector() as selector:
        for sock in held:
            selector.register(sock, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            events = selector.select(timeout=min(remaining, 0.5) if trickle else remaining)
            for key, _ in events:
                try:
                    data = key.fileobj.recv(65536)  # an error answer (408, 400) may come before the close
                except ConnectionError:
                    data = b""
                if not data:
                    selector.unregister(key.fileobj)
            if trickle and not events:
                for key in list(selector.get_map().values()):
                    key.fileobj.sendall(trickle[:1])
                trickle = trickle[1:] or trickle
    return True


@pytest.mark.parametrize("count, start", [(200, HALF_SENT_HEADERS), (100, SHORT_BODY)],
                         ids=["half-sent headers", "short body"])
def test_slow_clients_neither_block_others_nor_stay(server, count, start):
    """Other requests are answered while slow clients hold sockets, and the server drops those after its timeout."""
    with ExitStack() as stack:
        held = [connect(server, stack) for _ in range(count)]
        for sock in held:
            sock.sendall(start)
        assert_answered_while_held(server, held)
        assert closed_by_server(held, deadline=time.monotonic() + CLIENT_TIMEOUT + 10), "slow clients still connected"
    urllib.request.urlopen(server + "/about", timeout=ANSWER_WITHIN).close()


def test_a_trickling_client_is_dropped_though_never_silent(server):
    """A client sending its headers a byte at a time, never silent for the timeout, is dropped all the same."""
    with ExitStack() as stack:
        held = [connect(server, stack)]
        held[0].sendall(HALF_SENT_HEADERS)
        assert closed_by_server(held, time.monotonic() + CLIENT_TIMEOUT + 10, trickle=b"-slow"), "still connected"


def test_a_body_declared_too_large_is_refused_by_the_app_before_it_is_sent(server):
    """A Content-Length above the upload limit gets the app's 413, which names the setting, without the body
    (and without a 100 Continue that would invite it)."""
    with ExitStack() as stack:
        sock = connect(server, stack)
        sock.sendall(b"POST /api/collections/incidents/items HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                     b"Content-Type: application/geo+json\r\nContent-Length: 1000000000\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):  # the server closes the connection after its answer
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    error = json.loads(body)
    assert error["code"] == "PayloadTooLarge" and "WEBMAP_MAX_UPLOAD_MB" in error["description"]
