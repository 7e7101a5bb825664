"""The demo organisation of the guide (`manage.py seed_demo [--scale N]`): departments, people in
every role, request types, requests, documents, teams and conflicts in every state, and a large
organisation for benchmarks. Outside the production apps: nothing imports it (import-linter)."""
