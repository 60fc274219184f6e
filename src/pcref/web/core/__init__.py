"""Core of the web application: page layout, start and accessibility pages, NHS-style
error pages, the audit log (:mod:`pcref.web.core.audit`) and the health check."""
