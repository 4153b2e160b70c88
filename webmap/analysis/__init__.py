"""Spatial analysis of incidents: where each lies against the 1974 lines and in which governorate."""
from flask import Flask

from ..core.vocabulary import load_vocabulary
from .positions import ReferencePositioner


def init_app(app: Flask) -> None:
    """Have the app's store place every incident it writes against its reference layers."""
    app.extensions["webmap.store"].set_positioner(ReferencePositioner(load_vocabulary()))
