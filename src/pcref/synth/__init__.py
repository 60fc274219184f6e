"""Synthetic MHSDS-shaped extracts with injected, documented ethnic disparities."""
