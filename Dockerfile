# The app in one container: `docker build -t softmax-ce .` then `docker run -p 8501:8501 softmax-ce`
# (or podman). It runs what `make serve` runs (deploy/serve.py): one replica of server.py per core
# the container may use, behind nginx on port 8501, sharing one class store; `docker stop` stops
# them all. `-e WORKERS=1` for one replica; `--cpus` bounds the cores it sees.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# nginx in front of the replicas (Debian's package; its own service is never started).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*

# The runtime requirements only (no test, lint or slide-export packages), in a venv owned by root.
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# A user without a password or a login shell runs the app; the app's files stay root's, read-only
# to it. HOME is where Streamlit may keep its per-user files.
RUN useradd --create-home --home-dir /home/app --shell /usr/sbin/nologin --uid 10001 app
WORKDIR /app
COPY . /app
USER app
# Class mode's SQLite file where the app's user may write (the app's own folder is read-only to it).
# Replicas share a class through one PostgreSQL instead: run with
# -e SOFTMAX_DATABASE_URL=postgresql+psycopg://user:password@host/db
ENV SOFTMAX_DATABASE_URL=sqlite:////home/app/classes.sqlite

EXPOSE 8501
# No curl in a slim image: Python asks Streamlit's own health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(0 if r.read().strip() == b'ok' else 1)"]
# The supervisor is PID 1 and gets docker stop's SIGTERM. Replicas: -e WORKERS=n (default: the cores).
CMD ["python", "-m", "deploy.serve", "--port", "8501"]
