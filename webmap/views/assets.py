"""Front-end libraries from the npm registry, served from the app's own origin."""
from flask import Blueprint, abort, send_from_directory

from ..core.resources import resource_dir

bp = Blueprint("assets", __name__)

# Only the built files of the libraries webmap uses are served, nothing else under node_modules.
SERVED_PREFIXES = ("leaflet/dist/", "d3/dist/", "@observablehq/plot/dist/")
ONE_WEEK = 7 * 24 * 3600


@bp.get("/vendor/<path:path>")
def vendor(path: str):
    """Serve one file of an installed front-end library."""
    prefix = next((p for p in SERVED_PREFIXES if path.startswith(p)), None)
    if prefix is None:
        abort(404)
    # Serving from the prefix's own folder keeps "../" from climbing out of it.
    return send_from_directory(resource_dir("vendor") / prefix, path[len(prefix):], max_age=ONE_WEEK)
