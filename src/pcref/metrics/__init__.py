"""The metric catalogue: readable SQL definitions of PCREF metrics, and their preparation steps."""
