"""What a browser does on the pages: read the CSRF token of a form, sign in through the form."""

from __future__ import annotations

from typing import Any

#: The password tests/factories.py gives every user it creates.
PASSWORD = "correct horse battery"  # noqa: S105 - a test fixture's password


def csrf(html: str) -> str:
    """The CSRF token of the first form on the page."""
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    """Post the sign-in form as a browser would, with the CSRF token of the page."""
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def sign_out(client: Any) -> Any:
    token = csrf(client.get("/").text)
    return client.post("/logout", data={"csrf_token": token})
