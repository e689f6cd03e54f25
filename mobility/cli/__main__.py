"""``python -m mobility.cli``: the ``mobility`` command."""

from mobility.cli import main

main()
