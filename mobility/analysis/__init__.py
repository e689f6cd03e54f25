"""Analyses that re-solve a scenario's closure many times over.

``criticality`` (what losing or halving each link or node costs), ``interdiction`` (the
adversary's best cuts of the long-run throughput), ``investments`` (portfolios of fixes under
a budget) and ``compare`` (scenarios side by side). Each changes the network through
:mod:`mobility.disruption` and solves with :func:`mobility.engines.closure`.
"""
