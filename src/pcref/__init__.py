"""PCREF platform: find, understand, act on and show ethnic inequalities in mental health care."""

__version__ = "0.1.0"
