# One image for every Entraide service; each compose service / Deployment picks its
# entrypoint module with SERVICE_MODULE (see docker-compose.yml, deploy/k8s/).

# The web client, built with the lockfile's exact packages (npm ci); only dist/ is kept.
FROM node:20-slim AS web
WORKDIR /web
COPY services/gateway/web/package.json services/gateway/web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY services/gateway/web/ ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ENTRAIDE_DATA_DIR=/data ENTRAIDE_HTTP_HOST=0.0.0.0
RUN useradd --create-home --uid 10001 entraide && mkdir -p /data/keys && chown -R entraide /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY --from=web /web/dist ./services/gateway/web/dist
RUN pip install --no-cache-dir .
USER entraide
ARG SERVICE_MODULE=services.posts.entrypoints.main
ENV SERVICE_MODULE=${SERVICE_MODULE}
CMD ["sh", "-c", "exec python -m \"$SERVICE_MODULE\""]
