# One image for every Entraide service; each compose service / Deployment picks its
# entrypoint module with SERVICE_MODULE (see docker-compose.yml, deploy/k8s/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ENTRAIDE_DATA_DIR=/data ENTRAIDE_HTTP_HOST=0.0.0.0
RUN useradd --create-home --uid 10001 entraide && mkdir -p /data/keys && chown -R entraide /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir .
USER entraide
ARG SERVICE_MODULE=services.posts.entrypoints.main
ENV SERVICE_MODULE=${SERVICE_MODULE}
CMD ["sh", "-c", "exec python -m \"$SERVICE_MODULE\""]
