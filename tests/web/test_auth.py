"""Signing in and out, session cookies and CSRF protection of the web UI."""

from __future__ import annotations

from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.deps import SESSION_COOKIE
from techwin.pipeline.models import Contact
from techwin.web.security import LOGIN_CSRF_COOKIE
from tests import factories
from tests.web.support import form_token


def test_login_page_sets_a_double_submit_token(browser):
    page = browser.get("/login")
    assert page.status_code == 200
    assert "Sign in" in page.text
    assert form_token(page.text) == browser.client.cookies.get(LOGIN_CSRF_COOKIE)


def test_login_opens_a_session_with_a_safe_cookie(browser, make_user):
    user = make_user(Role.AE)
    response = browser.login(user)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # settings.cookie_secure is off in tests
    home = browser.get("/")
    assert home.status_code == 200
    assert user.full_name in home.text


def test_wrong_password_is_shown_on_the_form(browser, make_user):
    user = make_user(Role.AE)
    response = browser.login(user, password="not the password")
    assert response.status_code == 401
    assert "email or password is wrong" in response.text
    assert f'value="{user.email}"' in response.text  # the email is kept for a retry
    assert SESSION_COOKIE not in browser.client.cookies
    assert browser.get("/").status_code == 303


def test_login_without_its_token_is_refused(browser, make_user):
    user = make_user(Role.AE)
    browser.get("/login")
    response = browser.client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in browser.client.cookies


def test_login_only_follows_local_next_addresses(browser, make_user):
    user = make_user(Role.AE)
    page = browser.get("/login?next=//evil.example/")
    response = browser.client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": form_token(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_pages_send_strangers_to_sign_in(browser):
    response = browser.get("/leads?stage=mql")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fleads%3Fstage%3Dmql"
    hx = browser.client.get("/leads", headers={"HX-Request": "true"}, follow_redirects=False)
    assert hx.status_code == 401
    assert hx.headers["HX-Redirect"].startswith("/login")


def test_sign_out_ends_the_session(signed_in):
    browser = signed_in(Role.AE)
    old_cookie = browser.client.cookies.get(SESSION_COOKIE)
    response = browser.post("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert browser.get("/").status_code == 303
    browser.client.cookies.set(SESSION_COOKIE, old_cookie)  # a copied cookie no longer works
    assert browser.get("/").status_code == 303


def test_a_post_without_the_csrf_token_is_refused(signed_in, session):
    browser = signed_in(Role.AE)
    before = session.scalar(select(func.count(Contact.id)))
    data = {"first_name": "Eve", "last_name": "Forged"}
    missing = browser.post("/leads", data, csrf=False)
    wrong = browser.post("/leads", {**data, "csrf_token": "not-the-token"})
    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert "security token" in missing.text
    assert session.scalar(select(func.count(Contact.id))) == before


def test_htmx_requests_carry_the_token_in_a_header(signed_in):
    browser = signed_in(Role.AE)
    refused = browser.client.post(
        "/logout", headers={"HX-Request": "true", "X-CSRF-Token": "wrong"}
    )
    assert refused.status_code == 403
    assert refused.headers["HX-Reswap"] == "none"
    assert 'class="toast toast-error"' in refused.text
    accepted = browser.client.post(
        "/logout", headers={"X-CSRF-Token": browser.csrf}, follow_redirects=False
    )
    assert accepted.status_code == 303


def test_unknown_pages_get_a_page_not_json(signed_in):
    browser = signed_in(Role.AE)
    response = browser.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "there is no page at this address" in response.text
    assert "Sign out" in response.text  # the error page keeps the layout
    missing = browser.get("/leads/999999")
    assert missing.status_code == 404
    assert "contact 999999 does not exist" in missing.text


def test_opening_a_forms_action_address_leads_back_to_its_page(signed_in, session):
    """After a refused form the address bar shows where it was posted; opening that address
    again leads to the page the form is on instead of a 'wrong method' error."""
    browser = signed_in(Role.AE)
    lead = factories.contact(session, actor=browser.user)
    session.commit()
    back = browser.get(f"/leads/{lead.id}/transition")
    assert (back.status_code, back.headers["location"]) == (303, f"/leads/{lead.id}")
    nested = browser.get("/opportunities/7/pocs/3/criteria/9/result")
    assert nested.headers["location"] == "/opportunities/7/pocs/3"
    assert browser.get("/meetings/4/debrief").headers["location"] == "/meetings/4"
    htmx = browser.get(f"/leads/{lead.id}/transition", headers={"HX-Request": "true"})
    assert htmx.status_code == 405  # a fragment request gets its toast, not a page
    api = browser.client.get("/api/v1/scoring/predict", follow_redirects=False)
    assert api.status_code == 405
    assert api.headers["content-type"].startswith("application/json")
