"""Each format's own reader: it checks the file's signature itself and reads only what that format holds."""
import pytest

from webmap.errors import InvalidContent

from ingest_helpers import by_feature, read, refused


@pytest.mark.parametrize("text", [
    "\ufeffid;date;event_type;latitude;longitude\nc-1;2025-01-05;raid;33.126;35.8\n",
    "id\tdate\tevent_type\tlatitude\tlongitude\n\nc-1\t2025-01-05\traid\t33.126\t35.8\n\n",
])
def test_csv_separators_bom_and_blank_lines(text):
    incident, = read(text, "incidents.csv")
    assert (incident.id, incident.geometry["coordinates"]) == ("c-1", [35.8, 33.126])


def test_csv_with_a_repeated_column_or_surplus_cells():
    assert "two columns are named 'Date'" in refused(
        InvalidContent, "id,date,Date,event_type,lat,lon\n", "x.csv").errors[0].message
    error = refused(InvalidContent, "id,date,event_type,lat,lon\nc-1,2025-01-05,raid,33.1,35.8,extra\n", "x.csv")
    assert by_feature(error) == {0: {"columns": "CSV data row 1: the row has 6 cells but the header names 5 columns"}}

