"""Engagement pages: the public network and hub pages, and the staff pages."""
