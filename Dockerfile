# The portal's image: web (gunicorn), worker and beat (Celery) all run it; docker-compose.yml says which.
#   docker build -t portal .
# Packages come from uv.lock only (uv sync --frozen), on the image's own Python (UV_PYTHON_DOWNLOADS=never).

FROM python:3.11-slim AS python
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# The environment, built from the lock file alone so that it is rebuilt only when the lock changes.
FROM python AS environment
RUN python -m pip install --no-cache-dir --disable-pip-version-check "uv>=0.9,<1"
WORKDIR /build
COPY pyproject.toml uv.lock ./
RUN UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    uv sync --frozen --no-dev --no-install-project --no-cache --python /usr/local/bin/python3

# The application's files, without what a developer's checkout also holds (environments, databases, caches, tests).
FROM python AS source
WORKDIR /src
COPY . .
RUN rm -rf .git .venv .tools .ci .ruff_cache .pytest_cache .mypy_cache .hypothesis var tests bench db.sqlite3* \
    && find . -name __pycache__ -type d -prune -exec rm -rf {} +

FROM python AS portal
RUN groupadd --system portal && useradd --system --gid portal --home-dir /app --no-create-home portal
COPY --from=environment /opt/venv /opt/venv
COPY --from=source /src /app
WORKDIR /app
# Static files are collected here, with hashed names that browsers may cache for ever; the code stays root's and
# read-only, and only the media folder (a volume in docker-compose.yml) is writable by the portal.
ENV STATIC_MANIFEST=1
RUN SECRET_KEY=collectstatic-only PUBLIC_BASE_URL=http://collectstatic.invalid PORTAL_DEMO=0 python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p var/media \
    && chown portal:portal var/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
