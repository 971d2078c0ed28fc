"""
gunicorn's access log with the client address the trusted proxies vouch for (`%(h)s`).

gunicorn logs the socket address, which behind a load balancer is the balancer's. This logger
reads the same TRUSTED_PROXY_COUNT as the throttles and the lockout (config.client_ip), so the
address in the log is the one a rate limit counted, and a forged X-Forwarded-For never shows.
"""

import os

from gunicorn.glogging import Logger

from config.client_ip import client_address


class AccessLogger(Logger):
    def __init__(self, cfg):
        super().__init__(cfg)
        self.trusted_proxies = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        address = client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"), self.trusted_proxies)
        atoms["h"] = address or "-"
        return atoms
