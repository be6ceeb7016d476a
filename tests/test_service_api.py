"""The HTTP API with a scripted extract function: contract answers, caching, errors, auth, probes, metrics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from extractor.core.contract import ArticleExtraction
from extractor.core.errors import ConfigError
from extractor.pipeline import article_id_for
from extractor.providers.settings import Settings
from extractor.service.app import create_app
from extractor.service.config import ServiceSettings, load_service_settings
from tests.service_helpers import FakeExtract, FakeLLM, make_app

ARTICLE = "President Ann Example arrived in Paris on Monday. She met Bo Sample."


@pytest.fixture
def fake() -> FakeExtract:
    return FakeExtract()


@pytest.fixture
def client(tmp_path: Path, fake: FakeExtract) -> TestClient:
    with TestClient(make_app(tmp_path, extract=fake)) as c:
        yield c


def error_of(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


def test_extract_returns_the_contract_labelled_with_the_request(
    client: TestClient, fake: FakeExtract
) -> None:
    body = {
        "id": "a1",
        "text": ARTICLE,
        "source": "Wire",
        "url": "https://example.org/a",
        "published": "2024-05-06",
    }
    response = client.post("/v1/extract", json=body)
    assert response.status_code == 200, response.text
    result = ArticleExtraction.model_validate(response.json())
    assert (result.article.id, result.article.source, result.article.url) == (
        "a1",
        "Wire",
        "https://example.org/a",
    )
    assert fake.calls[0]["published"] == "2024-05-06"
    assert fake.calls[0]["text"] == ARTICLE


def test_identical_input_is_served_from_the_store_without_a_model_call(
    client: TestClient, fake: FakeExtract
) -> None:
    first = client.post("/v1/extract", json={"id": "a1", "text": ARTICLE})
    again = client.post("/v1/extract", json={"id": "other", "text": ARTICLE, "source": "S"})
    assert first.status_code == again.status_code == 200
    assert len(fake.calls) == 1
    # The stored result is reused but shown with this caller's labels.
    assert again.json()["article"]["id"] == "other"
    assert again.json()["article"]["source"] == "S"
    assert again.json()["actors"] == first.json()["actors"]
    # A different publication date anchors dates differently: a new extraction.
    client.post("/v1/extract", json={"text": ARTICLE, "published": "2020-01-01"})
    assert len(fake.calls) == 2
    metrics = client.get("/metrics").text
    assert 'extractor_extractions_total{outcome="cached"} 1.0' in metrics


def test_an_article_without_id_gets_the_hash_of_its_text(client: TestClient) -> None:
    response = client.post("/v1/extract", json={"text": ARTICLE})
    assert response.json()["article"]["id"] == article_id_for(ARTICLE)


def test_the_cache_survives_a_restart(tmp_path: Path) -> None:
    fake = FakeExtract()
    with TestClient(make_app(tmp_path, extract=fake)) as c:
        c.post("/v1/extract", json={"text": ARTICLE})
    with TestClient(make_app(tmp_path, extract=fake)) as c:
        assert c.post("/v1/extract", json={"text": ARTICLE}).status_code == 200
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ({"text": ""}, 422, "empty_text"),
        ({"text": "   \n\t "}, 422, "empty_text"),
        ({}, 422, "validation"),
        ({"text": 5}, 422, "validation"),
        ({"text": ARTICLE, "published": "last week"}, 422, "validation"),
        ({"text": ARTICLE, "published": "2024-02-30"}, 422, "validation"),
        ({"text": "bad \ud800 surrogate"}, 422, "bad_encoding"),
        ({"text": "binary\x00data"}, 422, "bad_encoding"),
        ([1, 2], 422, "validation"),
        ({"text": "raise: bad_input"}, 422, "bad_input"),
        ({"text": "raise: model_output"}, 502, "model_output"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client: TestClient, body: object, status: int, kind: str) -> None:
    # Serialised by hand: json= would refuse the lone surrogate that a real client can send.
    raw = json.dumps(body)
    response = client.post("/v1/extract", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert error_of(response)["kind"] == kind
    assert error_of(response)["message"]


def test_malformed_json_wrong_type_and_bad_bytes(client: TestClient) -> None:
    cases = [
        (b'{"text": "abc"', "application/json", 400, "bad_json"),
        (b'{"text": "caf\xe9"}', "application/json", 400, "bad_encoding"),
        (b"text=abc", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"text": "abc"}', "text/plain", 415, "unsupported_media_type"),
        (b"", "application/json", 422, "validation"),
    ]
    for raw, content_type, status, kind in cases:
        response = client.post("/v1/extract", content=raw, headers={"Content-Type": content_type})
        assert response.status_code == status, (raw, response.text)
        assert error_of(response)["kind"] == kind


def test_size_limits_answer_413(tmp_path: Path) -> None:
    settings = Settings(model="fake-model", base_url="http://127.0.0.1:9/v1", max_article_chars=1000)
    with TestClient(make_app(tmp_path, settings=settings, max_body_bytes=5000, max_job_articles=3)) as c:
        too_long = c.post("/v1/extract", json={"text": "word " * 300})
        assert too_long.status_code == 413 and error_of(too_long)["kind"] == "too_large"
        too_big = c.post("/v1/extract", json={"text": "x" * 6000})
        assert too_big.status_code == 413 and error_of(too_big)["kind"] == "too_large"
        too_many = c.post("/v1/jobs", json={"articles": [{"text": "a b"}] * 4})
        assert too_many.status_code == 413
        one_too_long = c.post("/v1/jobs", json={"articles": [{"text": "ok"}, {"text": "y" * 1200}]})
        assert one_too_long.status_code == 413 and "articles[1]" in error_of(one_too_long)["message"]


def test_backend_down_answers_503_with_retry_after(client: TestClient) -> None:
    response = client.post("/v1/extract", json={"text": "raise: backend_unavailable"})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert error_of(response)["kind"] == "backend_unavailable"


def test_unknown_routes_and_jobs_answer_404_in_the_error_shape(client: TestClient) -> None:
    for path in ("/v1/jobs/nope", "/v1/jobs/nope/results", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert error_of(response)["kind"] == "not_found"
    assert client.get("/v1/extract").status_code == 405
    # The body checks belong to the routes that take a body: other methods still get their 405.
    assert client.put("/v1/extract", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 405


def test_bearer_tokens_when_configured(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, api_tokens=["s3cret", "other"])) as c:
        missing = c.post("/v1/extract", json={"text": ARTICLE})
        assert missing.status_code == 401
        assert missing.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = c.post("/v1/extract", json={"text": ARTICLE}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
        basic = c.get("/v1/jobs/x", headers={"Authorization": "Basic czNjcmV0"})
        assert basic.status_code == 401
        good = c.post("/v1/extract", json={"text": ARTICLE}, headers={"Authorization": "Bearer other"})
        assert good.status_code == 200
        # Probes stay open for orchestrators and scrapers.
        assert c.get("/healthz").status_code == 200
        assert c.get("/metrics").status_code == 200


def test_tokens_come_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_API_TOKENS", "a, b,,c")
    assert ServiceSettings().api_tokens == ["a", "b", "c"]


def test_tokens_come_from_a_json_list_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_API_TOKENS", '["a", "b,c"]')
    monkeypatch.setenv("EXTRACTOR_ADMIN_TOKENS", ' ["root"] ')
    settings = load_service_settings()
    # A JSON list is taken whole: a comma inside one of its strings does not split that token.
    assert settings.api_tokens == ["a", "b,c"]
    assert settings.admin_tokens == ["root"]


@pytest.mark.parametrize("variable", ["EXTRACTOR_API_TOKENS", "EXTRACTOR_ADMIN_TOKENS"])
@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        (" , ", "holds no token"),
        ("", "holds no token"),
        ("[]", "holds no token"),
        ('["", " "]', "holds no token"),
        ('["a"', "not a JSON list"),
        ("[1, 2]", "list of strings"),
    ],
)
def test_a_token_setting_that_yields_no_token_is_refused_at_startup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, complaint: str
) -> None:
    monkeypatch.setenv("EXTRACTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        create_app(
            Settings(model="fake-model", base_url="http://127.0.0.1:9/v1"),
            extract=FakeExtract(),
            llm=FakeLLM(),
        )
    message = str(refused.value)
    assert refused.value.kind == "config"
    assert variable in message and complaint in message and "\n" not in message
    assert not (tmp_path / "never.sqlite3").exists()  # refused before anything was set up


def test_without_a_token_the_body_is_never_judged(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, api_tokens=["s3cret"], max_body_bytes=100)) as c:
        bodies = [
            (b'{"text": "abc"', "application/json"),  # malformed JSON
            (b'{"text": "caf\xe9"}', "application/json"),  # not UTF-8
            (b'{"text": "abc"}', "text/plain"),  # not JSON at all
            (b'{"text": "' + b"x" * 200 + b'"}', "application/json"),  # over the size limit
            (b'{"text": " "}', "application/json"),  # empty text
        ]
        for raw, content_type in bodies:
            for path in ("/v1/extract", "/v1/jobs"):
                for auth in ({}, {"Authorization": "Bearer wrong"}):
                    response = c.post(path, content=raw, headers={"Content-Type": content_type, **auth})
                    assert response.status_code == 401, (path, raw, auth, response.text)
                    assert error_of(response)["kind"] == "unauthorized"
                    assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert c.get("/v1/nowhere").status_code == 401  # nothing under /v1 is described to strangers
        # With the token, the same bodies get their usual verdicts.
        good = {"Authorization": "Bearer s3cret"}
        malformed = c.post(
            "/v1/extract", content=b'{"text": "abc"', headers={"Content-Type": "application/json", **good}
        )
        assert malformed.status_code == 400 and error_of(malformed)["kind"] == "bad_json"
        too_big = c.post("/v1/extract", json={"text": "x" * 200}, headers=good)
        assert too_big.status_code == 413


def test_readyz_names_the_model_only_to_callers_with_a_token(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, api_tokens=["user"], admin_tokens=["root"])) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dXNlcg=="}):
            stranger = c.get("/readyz", headers=headers)
            assert stranger.status_code == 200, headers
            assert stranger.json() == {"status": "ready", "detail": {}}
            assert "fake-model" not in stranger.text
        for token in ("user", "root"):
            known = c.get("/readyz", headers={"Authorization": f"Bearer {token}"})
            assert known.json() == {"status": "ready", "detail": {"model": "fake-model"}}


def test_probes(tmp_path: Path) -> None:
    llm = FakeLLM(up=True)
    with TestClient(make_app(tmp_path, llm=llm)) as c:
        assert c.get("/healthz").json()["status"] == "ok"
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["detail"]["model"] == "fake-model"
        llm.up = False
        down = c.get("/readyz")
        assert down.status_code == 503 and down.headers["Retry-After"]
        assert c.get("/healthz").status_code == 200


def test_metrics_count_requests_tokens_retries_and_failures(client: TestClient) -> None:
    client.post("/v1/extract", json={"text": ARTICLE})
    client.post("/v1/extract", json={"text": "raise: model_output"})
    client.post("/v1/extract", json={"text": ""})
    client.get("/v1/jobs/abc")
    text = client.get("/metrics").text
    assert 'extractor_http_requests_total{method="POST",route="/v1/extract",status="200"} 1.0' in text
    assert 'extractor_http_requests_total{method="POST",route="/v1/extract",status="422"} 1.0' in text
    # Route templates, not raw paths: ids must not become label values.
    assert 'route="/v1/jobs/{job_id}",status="404"' in text
    assert 'extractor_model_tokens_total{kind="prompt"} 100.0' in text
    assert "extractor_model_retries_total 1.0" in text
    assert 'extractor_failures_total{kind="model_output"} 1.0' in text
    assert "extractor_http_request_duration_seconds_bucket" in text


def test_two_apps_keep_separate_metrics(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path / "a")) as a, TestClient(make_app(tmp_path / "b")) as b:
        a.get("/healthz")
        assert 'route="/healthz"' in a.get("/metrics").text
        assert 'route="/healthz"' not in b.get("/metrics").text


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/results", "/readyz"} <= set(
        spec["paths"]
    )
    assert "ArticleExtraction" in spec["components"]["schemas"]


def test_every_operation_sits_under_a_declared_tag_with_a_summary(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    declared = [t["name"] for t in spec["tags"]]
    assert declared == ["extraction", "jobs", "health", "metrics"]
    tags = {
        (method, path): operation.get("tags")
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    }
    assert tags == {
        ("post", "/v1/extract"): ["extraction"],
        ("post", "/v1/jobs"): ["jobs"],
        ("get", "/v1/jobs/{job_id}"): ["jobs"],
        ("delete", "/v1/jobs/{job_id}"): ["jobs"],
        ("get", "/v1/jobs/{job_id}/results"): ["jobs"],
        ("get", "/healthz"): ["health"],
        ("get", "/readyz"): ["health"],
        ("get", "/metrics"): ["metrics"],
    }
    assert all(op.get("summary") for ops in spec["paths"].values() for op in ops.values())


@pytest.mark.parametrize(
    ("schema", "path", "status"), [("ArticleIn", "/v1/extract", 200), ("JobIn", "/v1/jobs", 202)]
)
def test_request_body_examples_are_valid_and_accepted(
    client: TestClient, schema: str, path: str, status: int
) -> None:
    spec = client.get("/openapi.json").json()
    examples = spec["components"]["schemas"][schema]["examples"]
    assert examples
    # The examples are checked against the published schema, not only the pydantic model behind it.
    validator = Draft202012Validator(
        {"components": spec["components"], "$ref": f"#/components/schemas/{schema}"}
    )
    for example in examples:
        validator.validate(example)
        response = client.post(path, json=example)
        assert response.status_code == status, response.text


def test_docs_page_loads_its_assets_from_the_service(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "http://" not in html and "https://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3  # the script, the stylesheet, the icon
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.content, asset
    # ReDoc is not served: its bundle always fetches a logo from a CDN.
    assert client.get("/redoc").status_code == 404


def test_every_documented_422_is_the_error_body_the_server_sends(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    documented = {
        (method, path): operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "422" in operation["responses"]
    }
    assert ("post", "/v1/extract") in documented and ("delete", "/v1/jobs/{job_id}") in documented
    assert set(documented.values()) == {"#/components/schemas/ErrorBody"}
    extract = spec["paths"]["/v1/extract"]["post"]
    assert (
        "429" in extract["responses"]
        and "no letter or digit"
        in spec["components"]["schemas"]["ArticleIn"]["properties"]["text"]["description"]
    )
    invalid = client.post("/v1/extract", json={"text": 5})
    assert invalid.status_code == 422 and set(invalid.json()) == {"error"}


def test_a_405_lists_every_method_of_the_path(client: TestClient) -> None:
    answer = client.request("OPTIONS", "/v1/jobs/abc")
    assert answer.status_code == 405 and answer.headers["Allow"] == "DELETE, GET"
    assert answer.json()["error"]["kind"] == "method_not_allowed"
    assert client.put("/v1/extract", json={}).headers["Allow"] == "POST"


@pytest.mark.parametrize("text", ["\u001c", "\u0085 \u3000", "\t\r\n"])
def test_text_the_spec_calls_blank_is_what_the_server_calls_empty(client: TestClient, text: str) -> None:
    pattern = client.get("/openapi.json").json()["components"]["schemas"]["ArticleIn"]["properties"]["text"]
    # Spelled with explicit characters, the pattern means the same to ECMA-262 and to Python's re.
    assert "\\s" not in pattern["pattern"] and not re.search(pattern["pattern"], text)
    answer = client.post("/v1/extract", json={"text": text})
    assert answer.status_code == 422 and answer.json()["error"]["kind"] == "empty_text"
