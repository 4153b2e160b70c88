"""The read API: incidents and reference layers as OGC API - Features (GeoJSON, HTML, CSV and exports)."""
from .routes import bp

__all__ = ["bp"]
