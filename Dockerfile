# proxyservice web app under uWSGI.
# Debian bookworm: the last Debian release that ships wkhtmltopdf.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    PROXYSERVICE_ENV=production \
    PROXYSERVICE_HTTP=0.0.0.0:8000

# wkhtmltopdf: GET /status reports the renderer's version (its X-server
# recommends are not needed: it renders offscreen). gcc builds uWSGI.
# nginx: in front of uWSGI's workers, started by uWSGI (uwsgi.ini); bookworm's
# nginx has the uwsgi module built in (nginx-light only adds the echo module).
RUN apt-get update \
 && apt-get install -y --no-install-recommends wkhtmltopdf poppler-utils libmagic1 fonts-dejavu-core gcc libc6-dev nginx \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 proxy \
 && useradd --system --uid 10001 --gid proxy --no-log-init --create-home --home-dir /home/proxy proxy \
 && mkdir -p /data && chown proxy /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY proxyservice ./proxyservice
COPY schema ./schema
COPY wsgi.py uwsgi.ini ./
COPY config/nginx.conf config/nginx.sh config/uwsgi-params.conf ./config/
# Editable: the app reads schema/ beside the package.
RUN pip install --no-cache-dir -e .

USER proxy
# uWSGI and nginx write only under TMPDIR (a private runtime folder per start:
# socket, nginx's config and buffered bodies): with --read-only, mount a tmpfs there.
VOLUME ["/data"]
EXPOSE 8000
# Liveness, not readiness: a web app whose workers are merely absent is healthy (GET /status says it is not ready).
HEALTHCHECK --interval=15s --timeout=5s CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["uwsgi", "--ini", "uwsgi.ini"]
