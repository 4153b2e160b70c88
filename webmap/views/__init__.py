"""The app's blueprints, registered in one place."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app."""
    from . import assets, mapdata, pages

    app.register_blueprint(assets.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(mapdata.bp)
