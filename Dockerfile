# One image for the API (`therapybridge serve --no-worker`) and the background
# worker (`therapybridge worker`). Build: docker build -t therapybridge .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data \
    MPLCONFIGDIR=/tmp/matplotlib \
    ENVIRONMENT=production

WORKDIR /app

# dependencies first (their layer survives code changes), pinned and hash-checked
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY settings.py query_ast.py ./
COPY app ./app
COPY cli ./cli
COPY schema ./schema
COPY resolvers ./resolvers
COPY services ./services
COPY db ./db
COPY migrations ./migrations
# the project itself; its dependencies are already installed from the lock
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data

USER app
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"]

CMD ["therapybridge", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
