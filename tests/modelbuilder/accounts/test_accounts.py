"""Tokens (hashed, bearer, create_token, revoke), the sign-up switch, login/logout and pages."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command

from modelbuilder.accounts.models import ApiToken
from modelbuilder.accounts.services import token_create, user_from_token

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_token_is_stored(user):
    token, raw = token_create(user=user, name="laptop")
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert user_from_token(raw) == user
    assert user_from_token(raw + "x") is None
    assert user_from_token("") is None


def test_an_inactive_users_token_does_not_authenticate(user):
    _, raw = token_create(user=user)
    user.is_active = False
    user.save()
    assert user_from_token(raw) is None


def test_create_token_prints_the_token_alone_on_the_last_line(user, anon):
    out = StringIO()
    call_command("create_token", "alice", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert user_from_token(raw) == user
    response = anon.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_create_token_for_a_missing_user_fails(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_token", "nobody", stdout=StringIO())


def test_bearer_with_a_wrong_token_is_401(anon, mb):
    mb.assert_error(anon.get("/api/me", HTTP_AUTHORIZATION="Bearer mb_nope"), 401, "unauthorized")


def test_token_api_create_list_revoke(alice, bob, anon, mb):
    created = alice.post("/api/tokens", {"name": "ci"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(body["prefix"])
    assert (
        anon.get("/api/datasets", HTTP_AUTHORIZATION=f"Bearer {body['token']}").status_code == 200
    )
    listed = alice.get("/api/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]] and "token" not in listed[0]
    assert bob.get("/api/tokens").json() == []
    mb.assert_error(bob.delete(f"/api/tokens/{body['id']}"), 404, "not_found")
    assert alice.delete(f"/api/tokens/{body['id']}").status_code == 204
    mb.assert_error(anon.get("/api/datasets", HTTP_AUTHORIZATION=f"Bearer {body['token']}"), 401)


def test_tokens_page_creates_and_revokes(alice, user):
    page = alice.post("/accounts/tokens/", {"name": "page"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=user)
    raw = page.context["new_token"]
    assert raw in page.content.decode() and user_from_token(raw) == user
    alice.post("/accounts/tokens/", {"revoke": token.pk})
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_tokens_page_needs_login(anon):
    response = anon.get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_login_and_logout(anon, user):
    assert anon.get("/accounts/login/").status_code == 200
    response = anon.post("/accounts/login/", {"username": "alice", "password": "pw-alice-123"})
    assert response.status_code == 302
    assert anon.get("/api/me").json()["username"] == "alice"
    anon.post("/accounts/logout/")
    assert anon.get("/api/me").status_code == 401


def test_signup_creates_and_logs_in(anon, settings, django_user_model):
    settings.ALLOW_SIGNUP = True
    form = {"username": "carol", "password1": "a-long-pass-42", "password2": "a-long-pass-42"}
    response = anon.post("/accounts/signup/", form)
    assert response.status_code == 302, response.content[:300]
    assert django_user_model.objects.filter(username="carol").exists()
    assert anon.get("/api/me").json()["username"] == "carol"


def test_signup_can_be_switched_off(anon, settings, django_user_model):
    settings.ALLOW_SIGNUP = False
    form = {"username": "dave", "password1": "a-long-pass-42", "password2": "a-long-pass-42"}
    assert anon.get("/accounts/signup/").status_code == 404
    assert anon.post("/accounts/signup/", form).status_code == 404
    assert not django_user_model.objects.filter(username="dave").exists()
