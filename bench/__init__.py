"""`make bench` (`manage.py bench`): the benchmark over a large seeded organisation, with its page
load test (locust against gunicorn, worker and beat). Outside the production apps: nothing imports
it (import-linter); installed for its command."""
