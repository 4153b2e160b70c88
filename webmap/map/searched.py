"""The incident columns a map counts and draws, narrowed to the incidents a free-text search (`q`) finds."""
import numpy as np

from ..core.points import IncidentPoints
from ..store import IncidentQuery, Store
from .filters import MapFilters


def searched_points(store: Store, filters: MapFilters) -> IncidentPoints:
    """Return the current incident columns, only those whose text matches `filters.text` when it is set.

    Text is matched by the store (on its search column); every other filter stays with the columns, so
    counts per filter choice still ignore their own filter.
    """
    points = store.incident_points()
    search = filters.to_query().search
    if not search:
        return points
    keys = store.incident_keys(IncidentQuery(search=search, as_of=points.data_version))
    return points.subset(np.isin(points.keys, keys, assume_unique=True))
