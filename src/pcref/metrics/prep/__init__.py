"""Preparation relations the metric catalogue reads: readable SQL files plus a small runner.

``mha``: NHS England's Mental Health Act legal-status classification (categories A–P, N),
detentions, repeat detentions and length of detention.
``activity``: people seen by each team in the period (data-quality metrics).
``inpatients``: people on a ward in the period (restrictive-practice denominators).
``neurodevelopmental``: neurodevelopmental referrals with their first attended contact.
"""
