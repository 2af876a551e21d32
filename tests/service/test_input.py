"""Names, bodies and hostile input: always the contract's 4xx with a clear detail, never a 500."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import create_key

HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(
    "name",
    [
        "[bold red]x[/]",
        "[link=http://x]y[/link]",
        "🔑 deploy 🚀",
        "a" * 100,
        "名前",
        "e\u0301",
        "<b>&amp;</b>",
        "👨\u200d👩\u200d👧 family",
        "❤\ufe0f",
    ],
)
async def test_valid_names_come_back_unchanged(client: httpx.AsyncClient, name: str) -> None:
    created = await create_key(client, name)
    assert created["name"] == name
    assert (await client.get(f"/v1/api-keys/{created['id']}")).json()["name"] == name
    assert (await client.get("/v1/api-keys")).json()["data"][0]["name"] == name


async def test_names_are_trimmed(client: httpx.AsyncClient) -> None:
    assert (await create_key(client, "  spaced \n"))["name"] == "spaced"
    assert (await create_key(client, " " + "b" * 100 + " "))["name"] == "b" * 100


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "\t\n",
        "a" * 101,
        "bell\x07",
        "esc\x1b[31mred",
        "nul\x00",
        "del\x7f",
        "c1\x85x",
        "c1\x9b31m",
        "line\u2028sep",
        "para\u2029graph",
        "rtl\u202eoverride",
        "lre\u202a",
        "iso\u2066late\u2069",
        "lone\ud800surrogate",
        "zero\u200bwidth",
        "\u3164",
        "\u115f",
        "\u2800",
        "prod\u00ad",
        "a\u034fb",
        "tag\U000e0041",
        "alm\u061c",
    ],
)
async def test_invalid_names_get_422(client: httpx.AsyncClient, name: str) -> None:
    body = json.dumps({"name": name}).encode()  # ensure_ascii: lone surrogates travel as \ud800
    response = await client.post(
        "/v1/api-keys", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("name: ")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"name"', "application/json"),
        (b"null", "application/json"),
        (b"", "application/json"),
        (b'{"name": "a", "name": "b"}', "application/json"),
        (b'{"name": NaN}', "application/json"),
        (b'{"name": "x"}', "text/plain"),
        (b'{"name": "x"}', ""),
        (b'{"name": "x"}', "application/x-www-form-urlencoded"),
        (b'{"name": "\xff\xfe"}', "application/json"),
        (b'{"name": "x"}', "application/json; charset=latin-1"),
        pytest.param(b"[" * 5000 + b"]" * 5000, "application/json", id="nested-5000-deep"),
        pytest.param(b'{"n": ' + b"9" * 5000 + b"}", "application/json", id="5000-digit-number"),
    ],
)
async def test_unreadable_bodies_get_400(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/v1/api-keys", content=content, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("body: ")


async def test_json_with_charset_and_suffix_types_is_read(client: httpx.AsyncClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client.post(
            "/v1/api-keys", content=b'{"name": "ok"}', headers={"Content-Type": content_type}
        )
        assert response.status_code == 201


async def test_bodies_over_16_kib_get_413(client: httpx.AsyncClient) -> None:
    big = json.dumps({"name": "x" * 17_000}).encode()
    assert (
        await client.post("/v1/api-keys", content=big, headers={"Content-Type": "application/json"})
    ).status_code == 413

    async def chunks():  # no Content-Length: the bytes actually read are counted
        for _ in range(20):
            yield b" " * 1024

    streamed = await client.post(
        "/v1/api-keys", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    lying = await client.post(
        "/v1/api-keys/verify",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": "99999"},
    )
    assert lying.status_code == 413
    assert (
        await client.post(
            "/v1/api-keys/verify", content=big, headers={"Content-Type": "application/json"}
        )
    ).status_code == 413


hostile_text = st.one_of(
    st.text(),
    st.text(
        alphabet=st.sampled_from(
            list("[]/\\<>&;\x1b\x07\x9b\u202e\u2066\u200b\u200d\u0301\ufeff\ud800\udfff")
        ),
        max_size=200,
    ),
    st.sampled_from(
        [
            "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
            "\x1b[2J\x1b[H",
            "[red]x[/red]",
            "\x1b]52;c;aGk=\x07",
        ]
    ),
    st.builds(lambda n: "a" * n, st.integers(min_value=99, max_value=1_000_000)),
)


@HYPOTHESIS
@given(name=hostile_text)
async def test_hostile_names_never_break_the_service(client: httpx.AsyncClient, name: str) -> None:
    body = json.dumps({"name": name}).encode()
    response = await client.post(
        "/v1/api-keys", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (201, 413, 422), response.text
    if response.status_code == 201:
        # What the server read: two lone surrogates in a row are a valid pair once in JSON.
        sent = json.loads(body)["name"]
        assert response.json()["name"] == sent.strip()
        renamed = await client.patch(
            f"/v1/api-keys/{response.json()['id']}",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert renamed.status_code == 200
    else:
        assert response.json()["detail"].split(":")[0] in ("name", "body")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@HYPOTHESIS
@given(
    path=st.sampled_from(
        ["/v1/api-keys", "/v1/api-keys/verify", "/v1/api-keys/key_abc", "/v1/api-keys/key_abc/roll"]
    ),
    method=st.sampled_from(["POST", "PATCH"]),
    body=st.one_of(
        st.binary(max_size=200),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {
                "name": json_values,
                "scopes": json_values,
                "expires_at": json_values,
                "key": json_values,
                "grace_seconds": json_values,
            }
        ).map(lambda v: json.dumps(v).encode()),
    ),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "", "application/json; charset=utf-16"]
    ),
)
async def test_malformed_bodies_get_4xx(
    client: httpx.AsyncClient, path: str, method: str, body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.request(method, path, content=body, headers=headers)
    assert 200 <= response.status_code < 500, response.text
    assert "Traceback" not in response.text


@HYPOTHESIS
@given(
    key_id=st.text(min_size=1, max_size=300).filter(lambda s: "?" not in s and "#" not in s),
    query=st.dictionaries(
        st.sampled_from(["limit", "status", "cursor", "days", "x"]),
        st.text(max_size=3000),
        max_size=4,
    ),
)
async def test_hostile_ids_and_query_values_get_4xx(
    client: httpx.AsyncClient, key_id: str, query: dict
) -> None:
    from urllib.parse import quote

    for path in (
        f"/v1/api-keys/{quote(key_id, safe='')}",
        f"/v1/api-keys/{quote(key_id, safe='/.')}/usage",
        "/v1/api-keys",
    ):
        response = await client.get(path, params=query)
        assert response.status_code in (200, 404, 422), (path, response.text)
        assert "detail" in response.json() or response.status_code == 200
