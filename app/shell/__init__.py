"""The app shell: home, health check, service worker, manifest, offline page and navigation."""
