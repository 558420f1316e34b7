"""The OpenAPI 3.1 description of the research API, as data.

Kept by hand next to the routes; a test checks that it is a valid OpenAPI
document and that its paths and the blueprint's routes are the same set, so the
two cannot drift apart. Paths are relative to the server URL ``/api/v1``.
"""

from __future__ import annotations

import copy

VERSION = "1.0.0"

_REF = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": _REF + name}


def _nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


_STRING = {"type": "string"}
_INTEGER = {"type": "integer"}
_BOOLEAN = {"type": "boolean"}
_DATE = {"type": "string", "format": "date"}
_DATETIME = {"type": "string", "format": "date-time"}
_LANGUAGES = {"type": "array", "items": _STRING, "description": "Language codes, main language first."}


def _object(properties: dict, description: str | None = None) -> dict:
    schema = {"type": "object", "required": sorted(properties), "properties": properties}
    if description:
        schema["description"] = description
    return schema


def _page_of(item: str) -> dict:
    return _object({"items": {"type": "array", "items": _ref(item)},
                    "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1, "maximum": 500},
                    "total": {"type": "integer", "minimum": 0,
                              "description": "How many items there are on all pages together."}},
                   f"One page of {item} items.")


SCHEMAS = {
    "Error": _object({"error": _object({
        "code": {"type": "string", "enum": ["bad_request", "unauthorized", "forbidden", "not_found",
                                            "method_not_allowed", "rate_limited", "server_error",
                                            "unavailable"]},
        "message": {"type": "string", "description": "In the language of Accept-Language."}})}),
    "LocaleMap": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "A text per language code, e.g. {\"nl\": \"…\", \"ar\": \"…\"}.",
                  "examples": [{"nl": "Samen leven", "ar": "العيش معًا"}]},
    "Me": _object({
        "display_name": _STRING,
        "municipalities": {"type": "array", "items": _object({"slug": _STRING, "name": _STRING}),
                           "description": "Where the token's owner is a researcher now."},
        "token": _object({"name": _STRING, "prefix": _STRING, "created_at": _DATETIME,
                          "expires_at": _nullable("string", format="date-time")})}),
    "Municipality": _object({"slug": _STRING, "name": _STRING,
                             "country": {"type": "string", "description": "ISO 3166-1 alpha-2."},
                             "timezone": _STRING, "default_language": _STRING,
                             "languages": _LANGUAGES}),
    "Lab": _object({"id": _INTEGER, "slug": _STRING, "municipality": _STRING,
                    "title": _ref("LocaleMap"),
                    "status": {"type": "string", "enum": ["draft", "published", "closed", "archived"]},
                    "default_language": _STRING, "languages": _LANGUAGES,
                    "published_at": _nullable("string", format="date-time"),
                    "created_at": _DATETIME, "updated_at": _DATETIME}),
    "Phase": _object({"title": _ref("LocaleMap"), "starts_on": _DATE, "ends_on": _DATE}),
    "Survey": _object({
        "id": _INTEGER, "lab_id": _INTEGER, "slug": _STRING, "title": _ref("LocaleMap"),
        "status": {"type": "string", "enum": ["draft", "scheduled", "open", "closed"]},
        "mode": {"type": "string", "enum": ["anonymous", "identified"]},
        "invitation_only": _BOOLEAN, "default_language": _STRING, "languages": _LANGUAGES,
        "opens_at": _nullable("string", format="date-time"),
        "closes_at": _nullable("string", format="date-time"),
        "template_id": _nullable("integer", description="Surveys made from one template share codes."),
        "consent_version": _INTEGER,
        "results_published_at": _nullable("string", format="date-time")}),
    "Option": _object({"code": _STRING,
                       "kind": {"type": "string", "enum": ["choice", "other", "prefer_not", "row"]},
                       "label": _ref("LocaleMap"), "hidden": _BOOLEAN}),
    "Question": _object({
        "code": _STRING,
        "type": {"type": "string", "enum": ["single", "multiple", "likert", "scale", "number",
                                            "short_text", "long_text", "date", "ranking", "matrix"]},
        "text": _ref("LocaleMap"), "help": _ref("LocaleMap"), "required": _BOOLEAN,
        "hidden": _BOOLEAN,
        "settings": {"type": "object", "description": "Type-specific: min/max choices, points, range."},
        "condition": _nullable("object", description="{\"question\": code, \"options\": [codes]}"),
        "dimension": _nullable("string", description="A breakdown dimension (origin, age …)."),
        "sensitive": {"type": "boolean",
                      "description": "A dimension that needs the larger disclosure threshold."},
        "options": {"type": "array", "items": _ref("Option"),
                    "description": "Choices, 'other', 'prefer not to say' and matrix rows."}}),
    "Section": _object({"position": _INTEGER, "title": _ref("LocaleMap"),
                        "condition": _nullable("object"),
                        "questions": {"type": "array", "items": _ref("Question")}}),
    "Answer": _object({
        "id": {"type": "integer", "description": "The unit id of codings of kind 'answer'."},
        "question_code": _STRING,
        "item_code": _nullable("string", description="Matrix row."),
        "option_code": _nullable("string"),
        "value_number": _nullable("number", description="Scale points, number, rank, matrix value."),
        "value_text": _nullable("string", description="Free text as written, or a date."),
        "text_language": _nullable("string")}),
    "Response": _object({
        "participant_id": {"type": "string", "description": (
            "Pseudonymous: P… for a person (the same id in every dataset of the lab), "
            "R… for an anonymous response.")},
        "language": _STRING, "assisted": _BOOLEAN, "assisted_language": _nullable("string"),
        "submitted_on": _DATE, "consent_version": _INTEGER,
        "answers": {"type": "array", "items": _ref("Answer")}}),
    "Count": _object({
        "question_code": _STRING, "item_code": _nullable("string"),
        "option_code": _nullable("string"), "value_number": _nullable("number"),
        "count": {"type": "integer", "description": "Counted responses in this group."}}),
    "Comment": _object({
        "id": {"type": "integer", "description": "The unit id of codings of kind 'comment'."},
        "participant_id": _STRING, "plan_id": _INTEGER, "plan_slug": _STRING,
        "version": {"type": "integer", "description": "The plan version commented on."},
        "anchor": {"type": "string", "description": "The paragraph's stable anchor."},
        "parent_id": _nullable("integer", description="The comment this one replies to."),
        "language": _STRING,
        "body": _nullable("string", description="As written; null when a moderator hid it."),
        "quote": _STRING,
        "status": {"type": "string", "enum": ["published", "pending", "hidden"]},
        "created_on": _DATE}),
    "Code": _object({"id": _INTEGER, "key": _STRING, "name": _STRING, "description": _STRING,
                     "color": _STRING, "position": _INTEGER, "parent_id": _nullable("integer"),
                     "parent_key": _nullable("string")}),
    "Coding": _object({
        "id": _INTEGER, "code_id": _INTEGER, "code_key": _STRING,
        "unit_kind": {"type": "string", "enum": ["turn", "answer", "comment"]},
        "unit_id": _INTEGER,
        "start": _nullable("integer", description="First character of the passage; null: whole unit."),
        "end": _nullable("integer", description="End (exclusive) of the passage."),
        "coder_id": _nullable("string", description="Pseudonymous id of the coder."),
        "created_at": _DATETIME}),
}
SCHEMAS["Count"]["properties"]["by_option_code"] = _nullable(
    "string", description="Only with ?by=: the option chosen in that question, null if none.")
SCHEMAS["LabDetail"] = {"allOf": [_ref("Lab"), _object({
    "description": _ref("LocaleMap"), "disclosure_k": _INTEGER, "disclosure_k_sensitive": _INTEGER,
    "phases": {"type": "array", "items": _ref("Phase")}})]}
SCHEMAS["Instrument"] = {"allOf": [_ref("Survey"), _object({
    "sections": {"type": "array", "items": _ref("Section")}})]}
SCHEMAS["CountPage"] = {"allOf": [_page_of("Count"), _object({
    "by": _nullable("string"),
    "responses": {"type": "integer", "description": "All counted responses of the survey."}})]}
for _item in ("Municipality", "Lab", "Survey", "Response", "Comment", "Code", "Coding"):
    SCHEMAS[f"{_item}Page"] = _page_of(_item)


def _error(description: str, headers: dict | None = None) -> dict:
    response = {"description": description,
                "content": {"application/json": {"schema": _ref("Error")}}}
    if headers:
        response["headers"] = headers
    return response


RESPONSES = {
    "BadRequest": _error("A parameter or id in the address is not valid."),
    "Unauthorized": _error("No token, or an unknown, revoked or expired one.", {
        "WWW-Authenticate": {"schema": _STRING, "description": "Bearer"}}),
    "NotFound": _error("No such object, or not in a municipality where you are a researcher."),
    "TooManyRequests": _error("Too many requests with this token (600 an hour by default).", {
        "Retry-After": {"schema": _STRING, "description": "Seconds to wait."}}),
}

PARAMETERS = {
    "page": {"name": "page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}},
    "per_page": {"name": "per_page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
    "lab_id": {"name": "lab_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 0}},
    "survey_id": {"name": "survey_id", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 0}},
    "municipality_slug": {"name": "municipality_slug", "in": "path", "required": True,
                          "schema": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"}},
    "by": {"name": "by", "in": "query", "required": False,
           "description": "Split every count by the answer to this single-choice question (its code).",
           "schema": {"type": "string", "maxLength": 32}},
}


def _operation(operation_id: str, summary: str, schema: str, *, params=(), paged=False,
               description: str | None = None) -> dict:
    names = [*params, *(("page", "per_page") if paged else ())]
    responses = {"200": {"description": "OK",
                         "content": {"application/json": {"schema": _ref(schema)}}}}
    if names:
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    if any(PARAMETERS[n]["in"] == "path" for n in names):
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    responses["429"] = {"$ref": "#/components/responses/TooManyRequests"}
    operation = {"operationId": operation_id, "summary": summary, "tags": ["research"],
                 "responses": responses}
    if description:
        operation["description"] = description
    if names:
        operation["parameters"] = [{"$ref": f"#/components/parameters/{n}"} for n in names]
    return {"get": operation}


PATHS = {
    "/openapi.json": {"get": {
        "operationId": "display_openapi", "summary": "This document", "tags": ["meta"],
        "security": [],
        "responses": {"200": {"description": "The OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/me": _operation("export_me", "The token's owner and where they are a researcher", "Me"),
    "/municipalities": _operation("export_municipalities", "Municipalities where you are a researcher",
                                  "MunicipalityPage", paged=True),
    "/municipalities/{municipality_slug}/labs": _operation(
        "export_municipality_labs", "Labs of a municipality (drafts too)", "LabPage",
        params=["municipality_slug"], paged=True),
    "/labs/{lab_id}": _operation("export_lab", "A lab with its phases and disclosure thresholds",
                                 "LabDetail", params=["lab_id"]),
    "/labs/{lab_id}/surveys": _operation("export_lab_surveys", "Surveys of a lab", "SurveyPage",
                                         params=["lab_id"], paged=True),
    "/surveys/{survey_id}": _operation(
        "export_survey", "A survey's instrument", "Instrument", params=["survey_id"],
        description="Sections and questions with their codes, types, texts and option labels in "
                    "every language."),
    "/surveys/{survey_id}/responses": _operation(
        "export_survey_responses", "Responses with research consent, answers in long form",
        "ResponsePage", params=["survey_id"], paged=True,
        description="Only responses whose research consent stands. Paged by response; each "
                    "carries all of its answers."),
    "/surveys/{survey_id}/counts": _operation(
        "export_survey_counts", "How many responses gave each answer", "CountPage",
        params=["survey_id", "by"], paged=True,
        description="Counts of all counted responses (not those whose consent was withdrawn), "
                    "per question, matrix row, option and value, without small-cell suppression."),
    "/labs/{lab_id}/comments": _operation(
        "export_lab_comments", "Plan comments of people who agreed to research use",
        "CommentPage", params=["lab_id"], paged=True),
    "/labs/{lab_id}/codes": _operation("export_lab_codes", "The lab's codebook", "CodePage",
                                       params=["lab_id"], paged=True),
    "/labs/{lab_id}/codings": _operation(
        "export_lab_codings", "Codes applied to transcript turns, answers and comments",
        "CodingPage", params=["lab_id"], paged=True,
        description="Only codings of texts whose authors' research consent stands."),
}

_DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Cocreate research API",
        "version": VERSION,
        "description": (
            "Read-only access for researchers to the labs of the municipalities where they "
            "are researchers. Create a personal token under My profile → API tokens and send "
            "it as `Authorization: Bearer <token>`. Participants appear only by pseudonymous "
            "id and only when their consent covers research use. Lists are paged with `page` "
            "and `per_page` (at most 500)."),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "tags": [{"name": "research", "description": "Data of labs, surveys, plans and coding"},
             {"name": "meta", "description": "About the API itself"}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A personal API token (cc_…)."}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "parameters": PARAMETERS,
    },
}


def document() -> dict:
    """A copy of the document (callers may change theirs freely)."""
    return copy.deepcopy(_DOCUMENT)
