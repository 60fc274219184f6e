"""The Jinja2 environment for every page: NHS.UK frontend macros plus a few helpers.

``nhsuk-frontend-jinja`` 0.10.2 (matching npm ``nhsuk-frontend`` 10.6.1) ships the NHS.UK
design system's Nunjucks macros as Jinja; templates import them by their package paths,
for example ``{% from "nhsuk/components/button/macro.jinja" import button %}``. The macros
need ``ChainableUndefined`` and autoescaping, which the settings set.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import ChoiceLoader, Environment, PackageLoader

from pcref.web.core.formatting import nhs_date, nhs_datetime, nhs_time
from pcref.web.core.nhsuk_forms import choices_params, error_summary_params, field_params


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """``url("core:start")``: Django's ``reverse`` with positional or keyword arguments."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend renders pages with."""
    extensions = [*options.pop("extensions", []), "jinja2.ext.do", "jinja2.ext.i18n"]
    env = Environment(extensions=extensions, **options)
    # {{ _("text") }} and {% trans %} use Django's translations in the active language
    # (the public feedback form is translated; staff pages are English).
    env.install_gettext_translations(translation, newstyle=True)
    # Our templates (app jinja2/ folders) first, then the NHS.UK macros by package path.
    env.loader = ChoiceLoader([env.loader, PackageLoader("nhsuk_frontend_jinja")])
    env.globals.update(
        {
            "static": static,
            "url": url,
            "STATIC_URL": settings.STATIC_URL,
            "field_params": field_params,
            "choices_params": choices_params,
            "error_summary_params": error_summary_params,
        }
    )
    env.filters.update({"nhs_date": nhs_date, "nhs_time": nhs_time, "nhs_datetime": nhs_datetime})
    return env
