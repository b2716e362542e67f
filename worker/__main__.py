"""``python -m worker`` is the ``handoff`` command."""

from worker.cli import main

main(prog_name="handoff")
