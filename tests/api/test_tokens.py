"""Tokens: scopes and expiry enforced, every call recorded, each token held to its client's rate,
and every refusal a JSON body."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiCall, ApiClient, ApiToken, hash_key
from tests.api.coverage import covers
from tests.api.factories import bearer, issue_token

pytestmark = pytest.mark.django_db

KNOWLEDGE = "/api/v1/knowledge/"


@covers("knowledge_list")
def test_no_token_is_401_with_a_json_body_and_the_scheme(api):
    response = api.get(KNOWLEDGE)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response["WWW-Authenticate"]
    assert "令牌" in response.json()["detail"]


@covers("knowledge_list")
def test_an_unknown_key_is_401(api):
    response = api.get(KNOWLEDGE, **bearer("ipp_deadbeef_nothing"))
    assert response.status_code == 401
    assert response.json()["detail"] == "密钥无效。"


@covers("knowledge_list")
def test_an_expired_token_is_401_saying_so(api):
    key, _token = issue_token("knowledge:read", expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = api.get(KNOWLEDGE, **bearer(key))
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


@covers("knowledge_list")
def test_a_revoked_token_and_a_disabled_client_are_401(api):
    key, token = issue_token("knowledge:read")
    assert api.get(KNOWLEDGE, **bearer(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = api.get(KNOWLEDGE, **bearer(key))
    assert response.status_code == 401 and "吊销" in response.json()["detail"]

    other_key, other = issue_token("knowledge:read")
    ApiClient.objects.filter(pk=other.client_id).update(active=False)
    response = api.get(KNOWLEDGE, **bearer(other_key))
    assert response.status_code == 401 and "停用" in response.json()["detail"]


@covers("knowledge_list", "cases_list", "statistics_read", "consultations_create", "documents_verify")
def test_a_token_without_the_scope_is_403_naming_it(api):
    key, _token = issue_token("documents:verify")
    for method, url, scope in [
        ("get", KNOWLEDGE, "knowledge:read"),
        ("get", "/api/v1/cases/", "cases:read"),
        ("get", "/api/v1/statistics/", "statistics:read"),
        ("post", "/api/v1/consultations/", "consultations:write"),
    ]:
        response = getattr(api, method)(url, **bearer(key))
        assert response.status_code == 403, url
        assert scope in response.json()["detail"]
    key, _token = issue_token("knowledge:read")
    response = api.get("/api/v1/documents/verify/ABCD1234/", **bearer(key))
    assert response.status_code == 403 and "documents:verify" in response.json()["detail"]


@covers("knowledge_list")
def test_every_call_is_recorded_with_token_status_and_duration(api):
    key, token = issue_token("knowledge:read")
    api.get(KNOWLEDGE, **bearer(key), REMOTE_ADDR="192.0.2.7")
    api.get(KNOWLEDGE + "?type=nonsense", **bearer(key))
    api.get(KNOWLEDGE)
    calls = list(ApiCall.objects.order_by("at", "pk"))
    assert [(c.token_id, c.client_id, c.method, c.path, c.status_code) for c in calls] == [
        (token.pk, token.client_id, "GET", KNOWLEDGE, 200),
        (token.pk, token.client_id, "GET", KNOWLEDGE, 400),
        (None, None, "GET", KNOWLEDGE, 401),
    ]
    assert calls[0].client_ip == "192.0.2.7"
    assert all(c.duration_ms >= 0 for c in calls)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_old_call_records_are_pruned(settings):
    from api.audit import prune_calls

    settings.API_CALL_RETENTION_DAYS = 30
    old = ApiCall.objects.create(
        method="GET", path="/x", status_code=200, duration_ms=1, at=timezone.now() - datetime.timedelta(days=31)
    )
    recent = ApiCall.objects.create(method="GET", path="/y", status_code=200, duration_ms=1)
    assert prune_calls() == 1
    assert list(ApiCall.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ApiCall.objects.filter(pk=old.pk).exists()


@covers("knowledge_list")
def test_each_token_is_held_to_its_clients_rate_with_a_json_429(api):
    key, token = issue_token("knowledge:read", rate=2)
    other_key, _other = issue_token("knowledge:read", client=token.client)
    assert api.get(KNOWLEDGE, **bearer(key)).status_code == 200
    assert api.get(KNOWLEDGE, **bearer(key)).status_code == 200
    refused = api.get(KNOWLEDGE, **bearer(key))
    assert refused.status_code == 429
    assert "detail" in refused.json() and int(refused["Retry-After"]) > 0
    # Per token: another token of the same client still has its own quota.
    assert api.get(KNOWLEDGE, **bearer(other_key)).status_code == 200
    assert ApiCall.objects.filter(status_code=429, token=token).count() == 1


def test_the_admin_shows_the_key_once_and_stores_only_its_digest(client, staff):
    user = staff
    user.is_superuser = True
    user.save()
    client.force_login(user)
    api_client = ApiClient.objects.create(name="国家平台")
    response = client.post(
        reverse("admin:api_apitoken_add"),
        {
            "client": api_client.pk,
            "label": "报送",
            "scopes": ["cases:read", "statistics:read"],
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200, response.content[:2000]
    key = response.context["key"]
    assert key.startswith("ipp_") and key in response.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key) and key not in (token.prefix, token.key_hash)
    assert key.startswith(token.prefix)
    assert token.scopes == ["cases:read", "statistics:read"] and token.created_by == user
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert key not in page and token.prefix in page
