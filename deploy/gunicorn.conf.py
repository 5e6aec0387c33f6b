"""gunicorn settings for keyprojects (``gunicorn -c deploy/gunicorn.conf.py config.wsgi``).

Every value can be overridden from the environment (the systemd unit reads
/etc/keyprojects/keyprojects.env). gunicorn listens on the loopback only; nginx in front
terminates TLS and sets X-Forwarded-Proto / X-Forwarded-For (deploy/nginx/keyprojects.conf).
"""

import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one database connection; 2 per core + 1 is the usual start.
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # big imports and bulletins take a while
graceful_timeout = 30
keepalive = 5
backlog = 2048
# Recycle workers now and then (slow leaks in any library stay harmless).
max_requests = 2000
max_requests_jitter = 200
# The application writes one structured line per request (keyprojects.request, LOG_FORMAT=json),
# so gunicorn's own access log stays off; its error log goes to stderr → journald.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines in the application's format (LOG_FORMAT=json: one JSON object per line).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keyprojects.core.logconfig import gunicorn_logconfig  # noqa: E402

logconfig_dict = gunicorn_logconfig(fmt=os.environ.get("LOG_FORMAT", "text"))
# Only nginx on this host may tell gunicorn about the original scheme (wsgi.url_scheme);
# Django itself reads X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) and TRUSTED_PROXIES for the client address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
# Tell systemd/monitoring which process is the master.
proc_name = "keyprojects"
# systemd manages the process (systemctl reload/restart); gunicorn's own control socket
# ($HOME/.gunicorn/gunicorn.ctl, one path for every gunicorn of the user) stays off.
control_socket_disable = True
