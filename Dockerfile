# proxyservice web app under uWSGI.
# Debian bookworm: the last Debian release that ships wkhtmltopdf.

# Build: the locked dependencies (requirements/web.txt, hashes checked) into a virtualenv;
# gcc is here only, for uWSGI, and stays in this stage.
FROM python:3.11-slim-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
# The dependencies first: a change to the code does not reinstall them.
COPY requirements/web.txt /tmp/requirements.txt
RUN python -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt
# The project itself, not editable, without dependencies: it gives the proxyservice command.
COPY pyproject.toml README.md /src/
COPY proxyservice /src/proxyservice
RUN /venv/bin/pip install --no-cache-dir --no-deps /src

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    PYTHONPATH=/app \
    DATA_DIR=/data \
    PROXYSERVICE_ENV=production \
    PROXYSERVICE_HTTP=0.0.0.0:8000

# wkhtmltopdf: GET /status reports the renderer's version (its X-server
# recommends are not needed: it renders offscreen).
# nginx: in front of uWSGI's workers, started by uWSGI (uwsgi.ini); bookworm's
# nginx has the uwsgi module built in (nginx-light only adds the echo module).
# Debian's packages are not pinned: bookworm's security updates should reach the image.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends wkhtmltopdf poppler-utils libmagic1 fonts-dejavu-core nginx \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 proxy \
 && useradd --system --uid 10001 --gid proxy --no-log-init --create-home --home-dir /home/proxy proxy \
 && mkdir -p /data && chown proxy /data

COPY --from=build /venv /venv
# The code that runs is /app's (first on PYTHONPATH), with schema/ beside it, as the app reads it.
WORKDIR /app
COPY schema ./schema
COPY wsgi.py uwsgi.ini ./
COPY config/nginx.conf config/nginx.sh config/uwsgi-params.conf ./config/
COPY proxyservice ./proxyservice

USER 10001:10001
# uWSGI and nginx write only under TMPDIR (a private runtime folder per start:
# socket, nginx's config and buffered bodies): with --read-only, mount a tmpfs there.
VOLUME ["/data"]
EXPOSE 8000
# Liveness, not readiness: a web app whose workers are merely absent is healthy (GET /status says it is not ready).
HEALTHCHECK --interval=15s --timeout=5s CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["uwsgi", "--ini", "uwsgi.ini"]
