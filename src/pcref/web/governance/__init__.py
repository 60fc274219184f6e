"""Governance: the local PCREF action plan, self-assessments and "did it work" (DESIGN §9).

Actions are linked to the disparity they aim at (a metric and an ethnic group of the loaded
results runs), to feedback themes and "you said, we did" entries, to the six national
organisational competencies and to a priority area. Every change to an action is kept as a
dated history row (who, when, field, old → new) and in the audit log. Self-assessments
score the PCREF Part 1 obligations and the six competencies, and are kept over time so the
change since the previous one can be shown. See docs/governance.md.
"""
