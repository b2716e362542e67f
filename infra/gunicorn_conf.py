"""gunicorn's settings for ``handoff serve`` and ``handoff sandbox``
(``gunicorn --config python:infra.gunicorn_conf``).

With ``HANDOFF_LOG_FORMAT=json`` gunicorn's own start-up, error and access lines are JSON
lines like every other line the process writes (`infra.logs.gunicorn_logging`).
"""

from infra.logs import gunicorn_logging

logconfig_dict = gunicorn_logging()
