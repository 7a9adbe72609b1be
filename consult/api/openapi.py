"""The OpenAPI 3.0.3 description of the read API, served at /api/v1/openapi.json.

Written for developers who use the API, so in English and not translated. The server URL is
relative, so the same document is right on every host the app runs on.
"""

from __future__ import annotations

from consult.analysis.models import Disposition
from consult.analysis.models import ReplyState
from consult.drafts.models import ItemKind
from consult.drafts.models import Phase
from consult.drafts.models import Status
from consult.moderation.models import ModerationState
from consult.responses.models import Channel
from consult.responses.models import Consent
from consult.responses.models import InputKind
from consult.responses.models import Stance

#: The largest page size and page number the inputs endpoint accepts.
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
MAX_PAGE = 100_000
#: The largest input id ``after`` accepts (nine digits).
MAX_AFTER = 999_999_999
#: An example slug, shown in the documentation.
EXAMPLE_SLUG = "sundhedsaftale-2027"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$"


def _values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _timestamp(description: str) -> dict:
    return _string(description, format="date-time")


def _object(properties: dict, required: list[str] | None = None, description: str = "") -> dict:
    schema = {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def _schemas() -> dict:
    text_en = _nullable(_string("The English text, or null where there is none."))
    consultation = {
        "slug": _string("Stable identifier, used in URLs.", example=EXAMPLE_SLUG),
        "title_da": _string(),
        "title_en": text_en,
        "summary_da": _string(),
        "summary_en": text_en,
        "status": _string("The secretariat's status.", enum=_values(Status)),
        "phase": _string(
            "What the public sees now, from the status and the clock (hidden: a draft).",
            enum=_values(Phase),
        ),
        "opens_at": _timestamp("When input opens (UTC)."),
        "closes_at": _timestamp("The deadline (UTC)."),
    }
    item = {
        "key": _string("Stable identifier within the consultation.", example="fa-1-goal-1"),
        "kind": _string(enum=_values(ItemKind)),
        "title_da": _string(),
        "title_en": text_en,
        "body_da": _string("Plain text: paragraphs split by a blank line."),
        "body_en": text_en,
        "alternatives": {
            "type": "array",
            "description": "Wordings the draft offers for a goal (\u201cA eller B\u201d).",
            "items": _object(
                {"letter": _string(example="A"), "text_da": _string(), "text_en": text_en}
            ),
        },
        "political_goals": {
            "type": "array",
            "description": "The political goals an initiative is to reach.",
            "items": _object({"text_da": _string(), "text_en": text_en}),
        },
        "funds_dkk": _nullable(
            {"type": "integer", "description": "Initiatives: the funds recommended, in DKK."}
        ),
        "funds_note_da": _string(),
        "funds_note_en": text_en,
        "children": {"type": "array", "items": _ref("Item")},
    }
    public_input = {
        "id": {"type": "integer", "description": "The input's identifier."},
        "kind": _string(
            "goal: input on a goal or initiative; comment: the response's general comment; "
            "letter: the organisation's letter (public view: no text, only who sent it).",
            enum=_values(InputKind),
        ),
        "goal_key": _nullable(
            _string("The key of the goal or initiative it answers; null for a comment or letter.")
        ),
        "stance": _nullable(_string(enum=_values(Stance))),
        "importance": _nullable({"type": "integer", "minimum": 1, "maximum": 5}),
        "preferred_alternative": _nullable(_string("The letter of the preferred wording.")),
        "text": _nullable(
            _string(
                "Public view: the text as published, removed parts shown as \u201c[fjernet]\u201d"
                " (null for a letter). Staff view: the text as written, CPR numbers masked as "
                "\u201c[\u2026]\u201d (a letter: the text read out of it)."
            )
        ),
        "proposed_wording": _nullable(_string("A wording the respondent proposes.")),
        "is_redacted": {"type": "boolean", "description": "A moderator removed parts of it."},
        "respondent_type": _nullable(_string("The respondent type's code.", example="citizen")),
        "name": _nullable(
            _string("The organisation's or the person's name, only when they agreed to it.")
        ),
        "channel": _string(enum=_values(Channel)),
        "published_at": _nullable(_timestamp("When it was published (UTC).")),
    }
    staff_only = {
        "moderation_state": _nullable(_string(enum=_values(ModerationState))),
        "public_text": _nullable(_string("What the public reads, once published.")),
        "consent": _string(enum=_values(Consent)),
        "submitted_at": _nullable(_timestamp("When the response was submitted (UTC).")),
        "tags": {"type": "array", "items": _string()},
        "reply_state": _string(enum=_values(ReplyState)),
        "disposition": _nullable(_string(enum=_values(Disposition))),
    }
    stances = {s.value: {"type": "integer", "minimum": 0} for s in Stance}
    stances["unspecified"] = {"type": "integer", "minimum": 0}
    return {
        "Error": _object(
            {
                "error": _string("A stable code, e.g. not_found.", example="not_found"),
                "message": _string("What went wrong, in the reader's language."),
            }
        ),
        "Consultation": _object(consultation),
        "ConsultationList": _object(
            {"consultations": {"type": "array", "items": _ref("Consultation")}}
        ),
        "Item": _object(item),
        "ConsultationStructure": {
            "allOf": [
                _ref("Consultation"),
                _object(
                    {
                        "version": _nullable(
                            _object(
                                {
                                    "number": {"type": "integer", "minimum": 1},
                                    "label_da": _string(example="1. udkast"),
                                    "label_en": text_en,
                                },
                                description="The current version; null before the first.",
                            )
                        ),
                        "items": {"type": "array", "items": _ref("Item")},
                    }
                ),
            ]
        },
        "Input": _object(
            {**public_input, **staff_only},
            required=list(public_input),
            description=(
                "One input on a goal or initiative, or a general comment or letter (kind). "
                "The staff-only properties are present only with a staff token."
            ),
        ),
        "InputPage": _object(
            {
                "view": _string(
                    "public: published input only; staff: every submitted input.",
                    enum=["public", "staff"],
                ),
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {"type": "integer", "minimum": 0},
                "pages": {"type": "integer", "minimum": 0},
                "next_after": _nullable(
                    {
                        "type": "integer",
                        "minimum": 1,
                        "description": ("Pass as after= for the next page; null on the last page."),
                    }
                ),
                "items": {"type": "array", "items": _ref("Input")},
            }
        ),
        "GoalSummary": _object(
            {
                "key": _string(),
                "kind": _string(enum=[ItemKind.GOAL.value, ItemKind.INITIATIVE.value]),
                "focus_area": _nullable(_string("The key of its focus area.")),
                "title_da": _string(),
                "title_en": text_en,
                "total": {"type": "integer", "minimum": 0},
                "stances": _object(stances),
            }
        ),
        "Summary": _object(
            {
                "slug": _string(),
                "goals": {
                    "type": "array",
                    "description": "Every submitted input counted, whatever its moderation.",
                    "items": _ref("GoalSummary"),
                },
            }
        ),
    }


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _responses(ok: dict, *, not_found: bool = False, authenticated: bool = True) -> dict:
    responses = {"200": ok, "400": {"$ref": "#/components/responses/BadRequest"}}
    if authenticated:
        responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    responses["429"] = {"$ref": "#/components/responses/TooManyRequests"}
    return responses


#: Anonymous callers get the public view; a staff token the full one.
OPTIONAL_BEARER = [{}, {"bearerAuth": []}]


def build_spec() -> dict:
    """Return the OpenAPI 3.0.3 document of the read API."""
    slug = {"$ref": "#/components/parameters/slug"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Consult read API",
            "version": "1.0.0",
            "description": (
                "Read-only access to the consultations on the draft health agreement: their "
                "structure, the published input and figures. Anyone may read the public data. "
                "A staff token (made by the secretariat on /api/v1/tokens) sent as "
                "`Authorization: Bearer <token>` also shows drafts and every submitted input. "
                "Requests are limited per address; over the limit the answer is 429."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": OPTIONAL_BEARER,
        "paths": {
            "/consultations": {
                "get": {
                    "operationId": "listConsultations",
                    "summary": "The consultations the public may see (and drafts, for staff)",
                    "security": OPTIONAL_BEARER,
                    "responses": _responses(_ok("The consultations", "ConsultationList")),
                }
            },
            "/consultations/{slug}": {
                "get": {
                    "operationId": "getConsultation",
                    "summary": "A consultation with its current version and item tree",
                    "security": OPTIONAL_BEARER,
                    "parameters": [slug],
                    "responses": _responses(
                        _ok("The consultation", "ConsultationStructure"), not_found=True
                    ),
                }
            },
            "/consultations/{slug}/inputs": {
                "get": {
                    "operationId": "listInputs",
                    "summary": "A consultation's input, a page at a time, oldest first",
                    "description": (
                        "Without a token: published input only, as the public reads it. "
                        "With a staff token: every submitted input, as written, with its "
                        "moderation state, tags and reply."
                    ),
                    "security": OPTIONAL_BEARER,
                    "parameters": [
                        slug,
                        {
                            "name": "after",
                            "in": "query",
                            "required": False,
                            "description": (
                                "Keyset paging: the inputs after this input id, i.e. the "
                                "next_after of the previous page. Every page then costs the "
                                "same, however deep; prefer it to page. Not with page."
                            ),
                            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_AFTER},
                        },
                        {
                            "name": "page",
                            "description": (
                                "Offset paging (kept for old clients): reads past every "
                                "earlier page, so deep pages are slow; use after."
                            ),
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": MAX_PAGE,
                                "default": 1,
                            },
                        },
                        {
                            "name": "per_page",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": MAX_PER_PAGE,
                                "default": DEFAULT_PER_PAGE,
                            },
                        },
                    ],
                    "responses": _responses(_ok("One page of input", "InputPage"), not_found=True),
                }
            },
            "/consultations/{slug}/summary": {
                "get": {
                    "operationId": "getSummary",
                    "summary": "Per goal and initiative, every submitted input counted by stance",
                    "security": OPTIONAL_BEARER,
                    "parameters": [slug],
                    "responses": _responses(_ok("The figures", "Summary"), not_found=True),
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "security": [{}],
                    "responses": _responses(
                        {
                            "description": "The OpenAPI document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        authenticated=False,
                    ),
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A staff token from /api/v1/tokens.",
                }
            },
            "parameters": {
                "slug": {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "description": "The consultation's slug.",
                    "schema": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 80},
                    "example": EXAMPLE_SLUG,
                }
            },
            "responses": {
                "BadRequest": _error("A parameter is not valid."),
                "Unauthorized": {
                    **_error("The token is not valid, revoked, or its user may no longer use it."),
                    "headers": {
                        "WWW-Authenticate": {"schema": {"type": "string"}, "required": True}
                    },
                },
                "NotFound": _error("No such consultation (or it is a draft)."),
                "TooManyRequests": _error("Too many requests from this address; wait a little."),
            },
            "schemas": _schemas(),
        },
    }
