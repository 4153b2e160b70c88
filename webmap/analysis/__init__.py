"""Spatial analysis of incidents: where each lies against the 1974 lines and in which governorate."""
from flask import Flask, current_app

from ..core.vocabulary import Vocabulary
from ..store import get_store
from .positions import ReferenceCache, serialised_with_positions
from .zones import PreparedReference


def init_app(app: Flask) -> None:
    """Give the app the cache of its prepared reference geometry."""
    app.extensions["webmap.reference"] = ReferenceCache()


def current_reference() -> PreparedReference:
    """Return the current app's reference layers, prepared for classifying incidents."""
    return current_app.extensions["webmap.reference"].get(get_store())


def features_with_positions(features: list[str], vocabulary: Vocabulary) -> list[str]:
    """Return the current app's serialised incident Features with their positions against the current layers."""
    reference, placed = current_app.extensions["webmap.reference"].current(get_store())
    return serialised_with_positions(features, reference, vocabulary, placed)
