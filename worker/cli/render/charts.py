"""matplotlib for the HTML reports' charts: an optional dependency (the ``reports`` extra),
which a production receiver or worker does not need."""

from __future__ import annotations

from types import ModuleType

from core.errors import ConfigError


def pyplot() -> ModuleType:
    """matplotlib's pyplot on the file-only Agg backend.

    Raises ConfigError naming the extra to install when matplotlib is missing.
    """
    try:
        import matplotlib
    except ImportError as exc:
        raise ConfigError("HTML reports draw their charts with matplotlib, which is not "
                          "installed: pip install 'helpdesk-handoff[reports]'") from exc
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    return plt
