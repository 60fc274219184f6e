"""The PCREF staff web application (Django 5.2 LTS, NHS.UK design system).

One Django app per area (DESIGN §12): :mod:`pcref.web.core` (layout, start and
accessibility pages, error pages, audit log, health check), :mod:`pcref.web.accounts`
(roles, sign-in, two-factor, session timeout, login throttling) and
:mod:`pcref.web.dashboard`. Settings live in :mod:`pcref.web.settings` (``base``,
``local``, ``production``, ``test``); ``manage.py`` at the repository root uses ``local``.
How it fits together: ``docs/web.md``.
"""
