# certflow's image: the worker, the API and the one-shot commands of docker-compose.yml (README
# "Docker Compose"). Installed from the same lock as `make`: requirements.lock by hash with uv, then the
# project without dependencies; the front-end packages the API serves from web/package-lock.json.

# The pinned front-end packages the API serves (bpmn-js for the process pages, swagger-ui-dist for /docs).
FROM node:22-bookworm-slim AS web
WORKDIR /app
COPY web/package.json web/package-lock.json web/.npmrc web/
RUN npm ci --prefix web --no-audit --no-fund --omit=dev

FROM python:3.11-slim-bookworm
# The CJK TrueType font embedded in the certificate PDFs (R-10.2; scripts/system-packages.sh). poppler,
# chromium and node are for the tests and the build, not the running system.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/app/.venv/bin:$PATH
ARG UV_VERSION=0.13.8
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
# The locked packages first, in a layer of their own that a code change does not rebuild.
COPY pyproject.toml requirements.lock ./
RUN uv venv --python /usr/local/bin/python3 .venv \
    && uv pip sync --python .venv/bin/python --require-hashes --compile-bytecode requirements.lock \
    && uv cache clean
COPY . .
COPY --from=web /app/web/node_modules web/node_modules
# Bytecode compiled once here (PYTHONDONTWRITEBYTECODE: no process writes it): a worker's sandbox imports
# the workflow modules afresh for every workflow it runs, and the SDK's build id reads every module's code.
RUN uv pip install --python .venv/bin/python --no-deps -e . \
    && python -m compileall -q activities api certflow planning rules schemas store workers workflows \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin certflow \
    && mkdir -p /app/.certflow && chown certflow /app/.certflow
USER certflow
EXPOSE 8000
CMD ["certflow", "api"]
