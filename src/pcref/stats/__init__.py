"""Public-health statistics for PCREF indicators.

Crude rates, proportions and means with confidence intervals, direct and indirect
standardisation, standard populations (PHEindicatormethods methods, re-implemented on
scipy and tested against its reference data), plus comparison, funnel and SPC modules.
"""
