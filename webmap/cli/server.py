"""Running webmap in production: gunicorn starts and watches the worker processes, waitress serves inside each."""
import multiprocessing

from gunicorn.app.base import BaseApplication

DEFAULT_THREADS = 16
# Open connections per worker, idle keep-alive ones included; past it the worker stops accepting until some
# close (slow or silent clients are closed after the client timeout).
CONNECTIONS_PER_WORKER = 1000


def default_workers() -> int:
    """Return one worker process per core: threads, not processes, absorb concurrent requests."""
    return multiprocessing.cpu_count()


class WebmapServer(BaseApplication):
    """A gunicorn application whose workers each build their own app with the factory and serve it with waitress."""

    def __init__(self, app_factory, options: dict, waitress_options: dict):
        self.app_factory = app_factory
        self.options = options
        self.waitress_options = waitress_options  # read by webmap.cli.worker.WaitressWorker
        super().__init__()

    def load_config(self):
        """Copy our options into gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Build the WSGI app inside the worker."""
        return self.app_factory()


def serve(app_factory, host: str, port: int, workers: int, threads: int, access_log: bool, *,
          client_timeout: int, max_body: int | None) -> None:
    """Serve the app on host:port until interrupted: `workers` processes of `threads` threads each.

    Clients silent for `client_timeout` seconds, or whose request arrives too slowly, are disconnected; a body
    declared larger than `max_body` bytes is refused before it is read.
    """
    options = {"bind": f"{host}:{port}", "workers": workers, "errorlog": "-",
               "worker_class": "webmap.cli.worker.WaitressWorker"}
    if access_log:
        # Off by default: a line per request costs about a sixth of the revalidation rate (bench/embed.py).
        options["accesslog"] = "-"
    waitress_options = {
        "threads": threads,
        "channel_timeout": client_timeout,
        "cleanup_interval": 1,  # look for silent clients every second, so they go soon after the timeout
        "connection_limit": CONNECTIONS_PER_WORKER,
    }
    if max_body:
        waitress_options["max_request_body_size"] = max_body + 1  # waitress refuses sizes from this one on
    WebmapServer(app_factory, options, waitress_options).run()
