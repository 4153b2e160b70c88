"""The incident columns a map filters, counts and grids: narrowed first by the filters only the store can apply."""
from ..core.points import IncidentPoints
from ..store import IncidentQuery, Store
from .filters import MapFilters


def filtered_points(store: Store, filters: MapFilters, as_of: int | None = None) -> IncidentPoints:
    """Return the live incidents (or those of data version `as_of`) as columns, keeping only those of the
    filters' batches when it names any and those whose text matches its free-text search (`q`) when it has one.

    Every other filter stays with the columns, so counts per filter choice still ignore their own filter.
    """
    points = store.incident_points(as_of)
    query = filters.to_query()
    if not (query.batches or query.search):
        return points
    # The keys are read at the columns' own data version, so a write in between cannot make them disagree.
    return points.subset(store.incident_keys(IncidentQuery(batches=query.batches, search=query.search,
                                                           as_of=points.data_version)))
