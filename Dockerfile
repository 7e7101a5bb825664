# Collab Portal image: one image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media

WORKDIR /app
RUN groupadd --system portal && useradd --system --gid portal --home /app portal

COPY requirements.txt .
# python-ldap (LDAP sign-in) builds against OpenLDAP's and Cyrus SASL's headers. The worker makes
# the PDFs of official documents with LibreOffice Writer (no GUI) and the free CJK fonts mapped to
# GB/T 9704's by core/fonts/fonts.conf.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libldap2-dev libsasl2-dev \
       libreoffice-writer-nogui fonts-noto-cjk \
    && pip install --no-cache-dir -r requirements.txt \
    && rm -rf /var/lib/apt/lists/*

COPY . .
# Static files are collected at build time and served by whitenoise.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/media && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "collab_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
