"""Giving an action an update as a lead does: from the form on its page, in its card (htmx)."""

from __future__ import annotations

from tests.conftest import csrf_token_from, form_value

HX = {"HX-Request": "true"}


def give_update(client, action, rag="green", text="Work goes on as planned this month.", **extra):
    """Post an update from the action's form as loaded now: its CSRF token, the version and
    the period it counts towards, as the card would send them."""
    form = client.get(f"/actions/{action.id}").get_data(as_text=True)
    return client.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(form),
            "version": form_value(form, "version"),
            "period": form_value(form, "period"),
            "rag": rag,
            "progress_text": text,
            **extra,
        },
        headers=HX,
    )
