# ModelBuilder image: the Django/daphne web server and the Celery workers run from it.
# Build: docker compose build   (see docker-compose.yml)

FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json* ./
RUN if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS app
ARG EXTRAS=""
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=modelbuilder.settings \
    MODELBUILDER_VAR_DIR=/data MEDIA_ROOT=/data/media PYTHONPATH=/app
WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine/ engine/
COPY modelbuilder/ modelbuilder/
COPY manage.py ./
RUN pip install --no-cache-dir ".${EXTRAS}"
COPY --from=frontend /src/frontend/dist frontend/dist
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 modelbuilder \
    && mkdir -p /data/media && chown -R modelbuilder /data
USER modelbuilder
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--websocket_connect_timeout", "30", "modelbuilder.asgi:application"]
