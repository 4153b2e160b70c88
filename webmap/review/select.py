"""Narrowing a list of submissions by the map's filters, and writing them as GeoJSON (pure functions)."""
from ..core.review import Submission
from ..map.filters import MapFilters


def matches(submission: Submission, filters: MapFilters) -> bool:
    """Tell whether a submission passes the filters the review page takes: dates, types, zones, governorates
    and uploads (`batch`)."""
    incident, position = submission.incident, filters.position
    properties = incident.extra
    return ((not filters.start or incident.last_date >= filters.start)
            and (not filters.end or incident.date <= filters.end)
            and (not filters.event_types or incident.event_type in filters.event_types)
            and (not position.zones or properties.get("zone") in position.zones)
            and (not position.governorates or properties.get("governorate") in position.governorates)
            and (not filters.batches or submission.upload in filters.batches))


def select_submissions(submissions: list[Submission], filters: MapFilters) -> list[Submission]:
    """Return the submissions that pass the filters, in the order given."""
    return [s for s in submissions if matches(s, filters)]


def review_properties(submission: Submission) -> dict:
    """Return what a submission says about its review, as the API and the review page's map carry it."""
    return {"review": submission.state, "review_upload": submission.upload, "review_author": submission.author,
            "review_submitted_at": submission.submitted_at, "review_reason": submission.reason,
            "review_reviewer": submission.reviewer, "review_reviewed_at": submission.reviewed_at}


def submission_feature(submission: Submission) -> dict:
    """Return a submission as a GeoJSON Feature: the incident submitted, marked with its review state."""
    feature = submission.incident.to_feature()
    feature["properties"] = {**feature["properties"], **review_properties(submission)}
    return feature
