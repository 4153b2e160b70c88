"""The map: its page, the Folium map it builds, view and filter parameters, and the aggregation of incident
columns into counts, timelines and clusters."""
