"""The API against its own OpenAPI document: generated requests never get a server error or break the schema."""
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_operation_keeps_to_the_schema(read_client):
    """Each documented operation, fed generated parameters in-process, answers as its documentation says."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi?f=json", read_client.application)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the operation serving the schema itself (/openapi); every other one is run.
    documented = read_client.get("/api/openapi?f=json").get_json()["paths"]
    assert {operation.path for operation in operations} == set(documented) - {"/openapi"}

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            """Send one generated request and validate the response against the document."""
            case.call_and_validate(checks=CHECKS)

        check()
