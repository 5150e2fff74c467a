// The service worker. The server prepends VERSION, SHELL and OFFLINE_URL (see core.views).
// It precaches the app shell and answers navigations network-first, falling back to the
// offline page; the offline issue adds page caching, the outbox and sync on this base.
const SHELL_CACHE = `shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith("shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() => caches.match(OFFLINE_URL, { cacheName: SHELL_CACHE })),
    );
    return;
  }
  const path = new URL(request.url).pathname;
  if (SHELL.includes(path)) {
    event.respondWith(
      caches.match(request, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)),
    );
  }
});

// Web Push: a supervisor's new override request (and other alerts) as a notification;
// tapping it opens the page it names.
self.addEventListener("push", (event) => {
  const message = event.data ? event.data.json() : {};
  event.waitUntil(
    self.registration.showNotification(message.title || "Clientes en ruta", {
      body: message.body || "",
      tag: message.tag || undefined,
      data: { url: message.url || "/" },
      icon: "/static/icons/icon-192.png",
      badge: "/static/icons/icon-192.png",
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === url);
      return open ? open.focus() : self.clients.openWindow(url);
    }),
  );
});
