# Collab Portal. `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000

.PHONY: install run test lint bench messages clean browser ldap ldap-headers haproxy cluster pdf

$(VENV)/.installed: requirements.txt requirements-dev.txt | ldap-headers
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# The embedded default's secret key, made once (production sets SECRET_KEY instead).
var/secret_key:
	mkdir -p var
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

install: $(VENV)/.installed var/secret_key

# The embedded default: SQLite and a filesystem broker under var/, unless
# DATABASE_URL / REDIS_URL are set. Web, worker and beat run until Ctrl-C.
run: install
	PY=$(PY) PORT=$(PORT) bash scripts/run.sh

# Debian's chromium and CJK fonts for the browser journeys (tests/browser), when missing.
# CI runs as root; elsewhere through sudo. Playwright drives this chromium: never `playwright install`.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if ! command -v apt-get >/dev/null; then echo "no /usr/bin/chromium and no apt-get: the browser tests will be skipped"; exit 0; fi; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk; \
	fi

# Debian's LibreOffice Writer (no GUI), the free CJK fonts that stand in for GB/T 9704's (see
# core/fonts/fonts.conf) and poppler's pdftoppm, for the PDFs of official documents and their test
# (tests/documents/test_pdf.py), when missing. Without them the .docx is still made; the test is skipped.
pdf:
	@if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || [ ! -d /usr/share/fonts/opentype/noto ]; then \
	  if ! command -v apt-get >/dev/null; then echo "no soffice/pdftoppm and no apt-get: the PDF tests will be skipped"; exit 0; fi; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends libreoffice-writer-nogui fonts-noto-cjk poppler-utils; \
	fi

# python-ldap (django-auth-ldap's client) builds against OpenLDAP's and Cyrus SASL's headers.
ldap-headers:
	@if [ ! -f /usr/include/ldap.h ] || [ ! -f /usr/include/sasl/sasl.h ]; then \
	  if ! command -v apt-get >/dev/null; then echo "no OpenLDAP headers and no apt-get: install libldap2-dev and libsasl2-dev"; exit 0; fi; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends libldap2-dev libsasl2-dev; \
	fi

# Debian's OpenLDAP server and tools for the sign-in and directory tests (tests/accounts start their
# own slapd on a free port), when missing. Without them those tests are skipped.
ldap:
	@if [ ! -x /usr/sbin/slapd ] || ! command -v ldapsearch >/dev/null; then \
	  if ! command -v apt-get >/dev/null; then echo "no slapd and no apt-get: the LDAP tests will be skipped"; exit 0; fi; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends slapd ldap-utils; \
	fi

# Debian's HAProxy for the one-machine cluster (make cluster, tests/test_cluster.py), when missing.
haproxy:
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
	  if ! command -v apt-get >/dev/null; then echo "no haproxy and no apt-get: the cluster test will be skipped"; exit 0; fi; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends haproxy; \
	fi

# The portal across hosts made of network namespaces (PostgreSQL, Redis, S3 media, two web hosts
# behind HAProxy, two workers, a beat), then the checks of docs/operations.md §6 with their
# figures. Root (ip netns); CLUSTER_ARGS="--media shared" for a shared folder instead of S3.
cluster: install haproxy
	$(PY) scripts/cluster.py $(CLUSTER_ARGS)

# The whole suite, browser journeys included. With DATABASE_URL / REDIS_URL set it runs against them.
test: install browser ldap haproxy pdf
	$(PY) -m pytest $(PYTEST_ARGS)

# The benchmark (reminder sweep over a large organisation). Set DATABASE_URL/REDIS_URL to
# measure on PostgreSQL and Redis, as the targets are stated for them.
bench: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r . --severity-level medium
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports  # the layers of docs/architecture.md ([tool.importlinter] in pyproject.toml)

# Rebuild the translation catalogues (needs GNU gettext; the compiled .mo files are
# committed). Merges in locale/pending/*.po, where parallel work leaves its translations.
messages: install
	PY=$(PY) bash scripts/messages.sh

clean:
	rm -rf $(VENV) var staticfiles
