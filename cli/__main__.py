"""``python -m cli``: the ``therapybridge`` command."""

from cli import run

run()
