"""baltic-mobility: military mobility and logistics model of the Baltic states.

How fast can NATO move its Force Model volumes into Estonia, Latvia and Lithuania,
and which infrastructure fixes buy the most days?
"""

__version__ = "0.1.0"
