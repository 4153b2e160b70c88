"""The app's blueprints, registered in one place."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app."""
    from .. import api
    from . import (account, accounts, admin, api_duplicates, api_layers, api_review, api_write, assets, duplicates,
                   embed, health, image, incidents, layers, mapdata, pages, places, review, stats, uploads)

    app.register_blueprint(assets.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(mapdata.bp)
    app.register_blueprint(places.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(image.bp)
    app.register_blueprint(stats.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(uploads.bp)
    app.register_blueprint(api_write.bp)
    app.register_blueprint(api_review.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(api_layers.bp)
    app.register_blueprint(layers.bp)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(duplicates.bp)
    app.register_blueprint(api_duplicates.bp)
    app.register_blueprint(health.bp)
