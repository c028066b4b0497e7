# Haven in a container: `docker compose up` (see docker-compose.yml and docs/DEPLOYMENT.md).
# Untested on the machine it was written on (no Docker daemon there): tests/test_deploy_files.py checks only that
# the files and commands it names exist.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8080

WORKDIR /app

# Installs are pinned by constraints.txt, as for `make run`.
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
RUN pip install -c constraints.txt ".[postgres]"

# A user without a login or a home of its own; it owns only var/.
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin haven \
    && mkdir -p /app/var \
    && chown haven:haven /app/var \
    && chmod 700 /app/var
USER haven

# The SQLite database (the default DATABASE_URL), backups, logs and any key files live here.
VOLUME ["/app/var"]

# GET /healthz answers 200 when Haven is healthy and 503 otherwise (HEALTH_HOST/HEALTH_PORT above).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]

# SIGTERM (docker stop) lets Haven finish writes in flight and close the database.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
