"""Staff accounts: roles (:mod:`pcref.web.accounts.roles`), sign-in and sign-out with
login throttling, optional two-factor authentication, and the idle session timeout."""
