"""gunicorn settings of every PolyCode service (read from the working directory).

gunicorn would take the request's scheme from ``X-Forwarded-Proto`` when the peer
is on loopback; the services decide that themselves, from the proxies configured
by address (``common/identity/proxies.py``).
"""

forwarded_allow_ips = ""
secure_scheme_headers = {}
