"""The server worker process: waitress serving the app on gunicorn's listening sockets, safe from slow clients.

Waitress's event loop reads each request whole, headers and body, before one of its threads runs the app, so a
client that sends slowly or not at all holds a connection but never a thread. This module adds what waitress
leaves out: a request must keep arriving at a minimum rate, and a body declared too large is refused by the app
(which says why) before any of it is read.
"""
import logging
import os
import time
from datetime import datetime
from types import SimpleNamespace

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask
from waitress.utilities import RequestEntityTooLarge

HEARTBEAT_SECONDS = 1.0
# Like Apache's mod_reqtimeout: each byte received extends a request's deadline, so a slow but steady upload
# finishes while a client trickling a byte now and then to stay connected does not.
MIN_BYTES_PER_SECOND = 500


def _error_task(channel, request):
    """Hand a body refused from its Content-Length to the app, whose 413 says why; waitress answers the rest."""
    if isinstance(request.error, RequestEntityTooLarge) and request.content_length:
        task = WSGITask(channel, request)  # its body stream is empty: nothing was read
        task.set_close_on_finish()  # the unread body follows on the connection
        return task
    return ErrorTask(channel, request)


class Channel(HTTPChannel):
    """One client connection, which must deliver each request before its deadline."""

    error_task_class = staticmethod(_error_task)
    request_began = 0.0
    request_bytes = 0

    def received(self, data):
        """Note when a request began and how much of it came, then parse as waitress does."""
        if self.request is None:
            self.request_began, self.request_bytes = time.time(), 0
        self.request_bytes += len(data)
        return super().received(data)

    def send_continue(self):
        """Invite the body (100 Continue) only if it will be read; waitress would then wait for a refused one."""
        if self.request.error is None:
            super().send_continue()

    def too_slow(self, now: float) -> bool:
        """Whether a request is still arriving after the client timeout plus a second per MIN_BYTES_PER_SECOND."""
        allowed = self.adj.channel_timeout + self.request_bytes / MIN_BYTES_PER_SECOND
        return self.request is not None and now - self.request_began > allowed


class Server(TcpWSGIServer):
    """Waitress's server on an already bound socket, closing connections that are idle or too slow."""

    channel_class = Channel

    def maintenance(self, now):
        """Close idle connections (waitress's channel timeout) and those whose request arrives too slowly."""
        super().maintenance(now)
        for channel in self.active_channels.values():
            if channel.too_slow(now):
                channel.will_close = True


class WaitressWorker(Worker):
    """A gunicorn worker process that serves its app with waitress, telling the arbiter every second it is alive."""

    def run(self):
        """Serve until gunicorn stops this worker, then let requests in progress finish within the grace period."""
        # Waitress warns whenever requests wait for a thread, which under load is all the time and by design.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        connections = {}
        adjustments = Adjustments(backlog=self.cfg.backlog, **self.app.waitress_options)
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(adjustments.threads)
        app = self._with_access_log(self.wsgi) if self.cfg.accesslog else self.wsgi
        servers = [Server(app, connections, True, listener.sock, dispatcher=dispatcher, adj=adjustments,
                          bind_socket=False, sockinfo=(listener.sock.family, listener.sock.type,
                                                       listener.sock.proto, listener.sock.getsockname()))
                   for listener in self.sockets]
        heartbeat = 0.0
        while self.alive and self.ppid == os.getppid():
            if time.monotonic() >= heartbeat:
                self.notify()
                heartbeat = time.monotonic() + HEARTBEAT_SECONDS
            wasyncore.loop(timeout=HEARTBEAT_SECONDS, map=connections, use_poll=True, count=1)
        for server in servers:
            server.close()
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while _busy(connections) and time.monotonic() < deadline:
            wasyncore.loop(timeout=HEARTBEAT_SECONDS, map=connections, use_poll=True, count=1)
        dispatcher.shutdown()
        wasyncore.close_all(connections)

    def _with_access_log(self, app):
        """Wrap the app so each request is written to gunicorn's access log, in its format."""
        log = self.log

        def logged(environ, start_response):
            began = datetime.now()
            response = SimpleNamespace(status="-", headers=[], sent=None)

            def start(status, headers, exc_info=None):
                response.status, response.headers = status, headers
                response.sent = next((value for name, value in headers if name.lower() == "content-length"), None)
                return start_response(status, headers, exc_info)

            body = app(environ, start)
            try:
                yield from body
            finally:
                if hasattr(body, "close"):
                    body.close()
                environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))  # gunicorn's name, which its log uses
                log.access(response, [], environ, datetime.now() - began)

        return logged


def _busy(connections: dict) -> bool:
    """Whether any connection has a request being served or an answer still to send."""
    return any(isinstance(channel, Channel) and (channel.requests or channel.total_outbufs_len)
               for channel in connections.values())
