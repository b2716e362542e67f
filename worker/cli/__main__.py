"""``python -m worker.cli`` (the entry point ``worker.cli:main``) is the ``handoff`` command,
as ``python -m worker`` is."""

from worker.cli import main

main(prog_name="handoff")
