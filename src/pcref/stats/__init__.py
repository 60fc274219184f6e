"""Public-health statistics for PCREF indicators.

Crude rates, proportions and means with confidence intervals, direct and indirect
standardisation, standard populations (PHEindicatormethods methods, re-implemented on
scipy and tested against its reference data), plus comparison, funnel and SPC modules.
"""

# Re-exports use "name as name" so each engineer adds only their own lines (no shared __all__).
from pcref.stats.comparison import dsr_ratio as dsr_ratio
from pcref.stats.comparison import (
    equality_gap_white_vs_non_white as equality_gap_white_vs_non_white,
)
from pcref.stats.comparison import mean_absolute_deviation as mean_absolute_deviation
from pcref.stats.comparison import proportion_ratio as proportion_ratio
from pcref.stats.comparison import rate_ratio as rate_ratio
from pcref.stats.crude import mean as mean
from pcref.stats.crude import proportion as proportion
from pcref.stats.crude import rate as rate
from pcref.stats.funnel import funnel_limits as funnel_limits
from pcref.stats.funnel import funnel_points as funnel_points
from pcref.stats.funnel import funnel_significance as funnel_significance
from pcref.stats.median import median as median
from pcref.stats.spc import spc as spc
from pcref.stats.spc import spc_summary as spc_summary
from pcref.stats.standard_populations import ESP2013_AGE_BANDS as ESP2013_AGE_BANDS
from pcref.stats.standard_populations import NHSE_AGE_BANDS as NHSE_AGE_BANDS
from pcref.stats.standard_populations import age_band as age_band
from pcref.stats.standard_populations import (
    aggregate_standard_population as aggregate_standard_population,
)
from pcref.stats.standard_populations import standard_population as standard_population
from pcref.stats.standardisation import dsr as dsr
from pcref.stats.standardisation import israte as israte
from pcref.stats.standardisation import isratio as isratio
from pcref.stats.wording import disparity_sentence as disparity_sentence
from pcref.stats.wording import proportion_sentence as proportion_sentence
from pcref.stats.wording import significance_label as significance_label
