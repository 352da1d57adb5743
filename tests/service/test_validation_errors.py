"""Invalid requests get the typed error body: one line naming the field and what it accepts, plus ``details``."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")


@pytest.mark.parametrize(
    ("send", "field", "words"),
    [
        (dict(json={"text": ""}), "text", "'text' must be a non-empty string"),
        (dict(json={"nope": 1}), "text", "'text' is required"),
        (dict(json={"text": "hi", "evidence": "maybe"}), "evidence", "'evidence' must be true or false; got 'maybe'"),
        (dict(json={"text": "hi", "labels": "plutchik"}), "labels", "'labels' must be 'open' or absent"),
        (dict(json=[1, 2]), "body", "The body must be a JSON object"),
    ],
)
def test_an_invalid_json_body_names_the_field_and_what_it_accepts(make_client, send, field, words):
    r = make_client(run=False).post("/v1/analyses", **send)
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == "ValidationError"
    assert body["message"].startswith(words), body["message"]
    assert "\n" not in body["message"]
    for raw in ("type=", "pydantic", "input_value", "validation error for"):  # none of pydantic's own text
        assert raw not in body["message"]
    assert body["details"][0] == {"field": field, "message": body["details"][0]["message"]}
    assert body["details"][0]["message"].startswith(words)


def test_a_bad_path_parameter_and_several_errors(make_client):
    client = make_client(run=False)
    body = client.get("/v1/analyses/xyz").json()
    assert body["error"] == "ValidationError"
    assert body["message"] == (
        "'job' must be an analysis id: 32 lowercase hexadecimal digits, as returned by POST /v1/analyses; got 'xyz'."
    )
    assert body["details"] == [{"field": "job", "message": body["message"]}]
    two = client.post("/v1/analyses", json={"text": "hi", "evidence": [1], "labels": "x"}).json()
    assert [d["field"] for d in two["details"]] == ["evidence", "labels"]
    assert two["message"] == "'evidence' must be true or false; got a list (and 1 more in 'details')."


def test_other_errors_keep_the_two_field_body(make_client):
    client = make_client(run=False)
    assert set(client.get("/v1/analyses/" + "0" * 32).json()) == {"error", "message"}
    r = client.post("/v1/analyses", content=b"{not json", headers={"content-type": "application/json"})
    assert (r.status_code, set(r.json())) == (422, {"error", "message"})


def test_the_error_body_is_published_in_openapi(make_client):
    spec = make_client(run=False).get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["ErrorBody"]["required"]) == {"error", "message"}
    assert "details" in schemas["ErrorBody"]["properties"]
    assert set(schemas["FieldError"]["required"]) == {"field", "message"}
