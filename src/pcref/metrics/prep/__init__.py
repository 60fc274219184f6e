"""Preparation relations the metric catalogue reads: readable SQL files plus a small runner.

``mha``: NHS England's Mental Health Act legal-status classification (categories A–P, N),
detentions, repeat detentions and length of detention.
"""
