"""Running webmap under gunicorn, the production WSGI server."""
import multiprocessing

from gunicorn.app.base import BaseApplication


DEFAULT_THREADS = 16


def default_workers() -> int:
    """Return one worker process per core: threads, not processes, absorb concurrent requests."""
    return multiprocessing.cpu_count()


class WebmapServer(BaseApplication):
    """A gunicorn application whose workers each build their own app with the factory."""

    def __init__(self, app_factory, options: dict):
        self.app_factory = app_factory
        self.options = options
        super().__init__()

    def load_config(self):
        """Copy our options into gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Build the WSGI app inside the worker."""
        return self.app_factory()


def serve(app_factory, host: str, port: int, workers: int, threads: int = DEFAULT_THREADS,
          access_log: bool = False) -> None:
    """Serve the app on host:port with gunicorn until interrupted (threaded workers if `threads` > 1)."""
    options = {"bind": f"{host}:{port}", "workers": workers, "errorlog": "-"}
    if access_log:
        # Off by default: a line per request costs about a sixth of the revalidation rate (bench/embed.py).
        options["accesslog"] = "-"
    if threads > 1:
        # Threaded workers keep connections alive, which saves a TCP handshake per request under load.
        options.update(worker_class="gthread", threads=threads)
    WebmapServer(app_factory, options).run()
