"""The incident columns a map filters, counts and grids: narrowed first by the filters only the store can apply."""
from ..core.points import IncidentPoints
from ..store import IncidentQuery, Store
from .filters import MapFilters


def filtered_points(store: Store, filters: MapFilters, as_of: int | None = None) -> IncidentPoints:
    """Return the live incidents (or those of data version `as_of`) as columns, keeping only those of the
    filters' batches when it names any."""
    points = store.incident_points(as_of)
    if not filters.batches:
        return points
    # The keys are read at the columns' own data version, so a write in between cannot make them disagree.
    return points.subset(store.incident_keys(IncidentQuery(batches=filters.batches, as_of=points.data_version)))
