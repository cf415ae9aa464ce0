"""What every operation of the API may answer besides its own success, written into the OpenAPI schema
(``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``), so that a client, and the fuzz run of
``tests/api/test_fuzz.py``, know every answer:

- 403 ``Error``: not logged in (no session, a wrong or expired token), or not allowed (the reason);
- 429 ``Error`` with ``Retry-After``: over the rate limit (``projects.api_throttles``);
- 404 ``Error``: an object in the path that does not exist or is not yours, a page past the last;
- 400 ``ValidationError``: a request body that is not valid, per field, or a move that is refused with
  its reason (``projects.api_errors``);
- 409 ``Error`` where the operation takes a ``version`` or ``expected_state`` and someone changed the
  object meanwhile, or an operation says so itself.

An operation that documents one of these itself keeps its description; where it gave no body, the body
above is added.
"""

ERROR = {
    "type": "object",
    "description": "What went wrong, in the user's language.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Per field what is wrong with it (a list of messages, or per key of an object field), and "
        '"non_field_errors" for the request as a whole. A refused move names its reason under the '
        "operation's own field (transition, outcome, status, dwelling) or as detail."
    ),
    "additionalProperties": {},
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer"},
        "required": True,
    }
}
DESCRIPTIONS = {
    "400": "Not valid: per field what is wrong; nothing changed.",
    "403": "Not logged in, or not allowed (with the reason).",
    "404": "No such object for you, or no such page.",
    "409": "Someone changed it meanwhile: read it again; nothing changed.",
    "429": "Too many requests: wait Retry-After seconds.",
}
UNSAFE = {"post", "put", "patch", "delete"}


def _ref(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _has_body_field(operation: dict, components: dict, names: set[str]) -> bool:
    """Whether the request body of ``operation`` has one of ``names`` among its properties."""
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content.get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            schema = components.get(ref.rsplit("/", 1)[1], {})
        if names & set(schema.get("properties", {})):
            return True
    return False


def _document(responses: dict, status: str, schema: str) -> None:
    response = responses.setdefault(status, {"description": DESCRIPTIONS[status]})
    if not response.get("content"):
        response["content"] = _ref(schema)
    elif status == "400":
        # A body of its own (what is missing): a body that is not valid answers per field all the same.
        for content in response["content"].values():
            if content.get("schema") != _ref(schema)["application/json"]["schema"]:
                content["schema"] = {"anyOf": [content["schema"], {"$ref": f"#/components/schemas/{schema}"}]}
    if status == "429":
        response.setdefault("headers", RETRY_AFTER)


def document_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    components["ValidationError"] = VALIDATION_ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            _document(responses, "403", "Error")
            _document(responses, "429", "Error")
            if "{" in path or any(p.get("in") == "query" and p.get("name") == "page" for p in parameters):
                _document(responses, "404", "Error")
            if method in UNSAFE and "requestBody" in operation:
                _document(responses, "400", "ValidationError")
            if method in UNSAFE and _has_body_field(operation, components, {"version", "expected_state"}):
                _document(responses, "409", "Error")
            operation["responses"] = dict(sorted(responses.items()))
    return result
