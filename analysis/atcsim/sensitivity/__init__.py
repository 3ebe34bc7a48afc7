"""Sensitivity analysis of parameter sweeps: Sobol indices, Morris screening, rank correlations.

An ``atcsim run`` whose config has a ``[sweep]`` section writes one run per
(scenario, point, replicate): the indicators get a ``point`` dimension, with
the swept parameters' values as coordinates and the design's structure in
``sweep_role``, ``sweep_group`` and ``sweep_factor`` (see
``docs/sensitivity.md``). This module turns such a file into sensitivity
measures:

- :func:`sobol`: first-order and total Sobol indices (``method = "sobol"``),
  with the Saltelli et al. (2010) estimator of S1 and the Jansen (1999)
  estimator of ST, and bootstrap confidence intervals;
- :func:`morris`: Morris (1991) elementary effects, summarised by mu, mu*
  (Campolongo et al. 2007) and sigma (``method = "morris"``);
- :func:`correlations`: Spearman rank correlations between each parameter
  and the output, for any design (the natural summary of ``grid`` and ``lhs``
  sweeps);
- :func:`plot_sobol`, :func:`plot_morris`, :func:`plot_response`: figures.

Every estimator works on one scalar output per parameter point, the
*response* (:func:`response`): the indicator at one time (default: the last
recorded time) or averaged over a window, in one scenario, averaged over
replicates and over sites (or at one site). Averaging over replicates
estimates the sensitivity of the model's *expected* output; replicate noise
that survives the average adds variance that no parameter explains (it
inflates total indices and sigma), so stochastic models need enough
replicates per point.

All bootstrap resampling uses ``numpy.random.default_rng(seed)`` with
:data:`atcsim.DEFAULT_SEED` by default, so results are reproducible.

Modules: :mod:`.sweep_response` (the response and the design's structure),
:mod:`.sobol_indices`, :mod:`.morris_screening`, :mod:`.rank_correlations`
(the estimators), :mod:`.results` (their result classes) and :mod:`.plots`.
"""

from .morris_screening import morris, morris_values
from .plots import plot_morris, plot_response, plot_sobol
from .rank_correlations import correlations
from .results import CorrelationResult, MorrisResult, SensitivityResult, SobolResult
from .sobol_indices import sobol
from .sweep_response import response

__all__ = [
    "SensitivityResult",
    "SobolResult",
    "MorrisResult",
    "CorrelationResult",
    "response",
    "sobol",
    "morris",
    "morris_values",
    "correlations",
    "plot_sobol",
    "plot_morris",
    "plot_response",
]
