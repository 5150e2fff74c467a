// The service worker (a module). The server prepends VERSION, SHELL, STATIC_ROOT, OFFLINE_URL
// and SHELL_PAGE, and points the imports below at STATIC_ROOT (see shell.views).
//
// - The app shell (CSS, JS, icons, the offline page) is precached per version, each file once
//   under the versioned URL the pages use; a page kept from an older version asks for its
//   files by their old URLs (unversioned, or another version's) and gets this version's.
// - Pages: network first; after NAVIGATION_TIMEOUT_MS, or when the network fails, the copy
//   kept for the signed-in user. Offline, the client list, a card, the order, call,
//   receipt and pickup pages, the new prospect form and the route day are answered with the
//   offline app shell, which draws them from the phone's copy in IndexedDB (offline/router.js
//   names those paths); other pages with their last copy, marked as such.
// - htmx fragments go network first too, with their last copy as the fallback, in a cache
//   of their own so a page is never answered with a fragment (history, reopened tabs).
// - Copies are kept per user (caches named after them, from the X-Clientes-User header); a
//   page of another user drops the previous one's, and signing out drops them all.
// - A server form (order, call, receipt, note, new prospect, new case) whose post cannot reach the
//   server goes to the outbox, and the user sees that it was kept.
// - Background Sync replays the outbox when the browser has it, and any answer of the server
//   here (a page, a form's post) sends at once what was waiting out a network failure.
import { FORM_WRITES, enqueue, replay, serverAnswered } from "/static/js/outbox.js";
import { notificationFor, sendDecision, tapPlan } from "/static/js/notifications.js";
import { route } from "/static/js/offline/router.js";

const SHELL_CACHE = `shell-${VERSION}`;
const PAGES_PREFIX = "pages-u";
const PARTS_PREFIX = "parts-u"; // htmx fragments: kept apart, so a page is never answered with one
const USER_CACHES = [PAGES_PREFIX, PARTS_PREFIX];
const NAVIGATION_TIMEOUT_MS = 4000;
const MAX_PAGES = 80;
const USER_HEADER = "X-Clientes-User";
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
      .then(() => self.clients.claim())
      .then(refreshShellPage),
  );
});

/**
 * Keep the shell page of this version for the signed-in user (a new version's scripts need
 * their own page; a signed-out answer has no user header and is not kept).
 */
async function refreshShellPage() {
  try {
    await networkThenKeep(new Request(SHELL_PAGE, { credentials: "same-origin" }));
  } catch {
    // Offline while updating: the next sync fetches it.
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate") {
    const write = FORM_WRITES.find((w) => w.pattern.test(url.pathname));
    if (write) event.respondWith(postOrKeep(request, write));
    return;
  }
  if (request.method !== "GET" || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, event));
  } else if (url.pathname === SHELL_PAGE) {
    event.respondWith(networkThenKeep(request));
  } else if (shellUrl(url.pathname)) {
    event.respondWith(
      caches.match(shellUrl(url.pathname), { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)),
    );
  } else if (request.headers.get("HX-Request")) {
    event.respondWith(fragment(request));
  }
});

/** The shell's URL for a static file's path of any version (or of none), else null. */
function shellUrl(pathname) {
  if (SHELL.includes(pathname)) return pathname;
  const file = pathname.match(/^\/static\/(?:[0-9a-f]{12}\/)?(.+)$/);
  const current = file && STATIC_ROOT + file[1];
  return current && SHELL.includes(current) ? current : null;
}

/** A page: the network's answer, else (slow or failed) the best copy the phone has. */
async function page(request, event) {
  const network = networkThenKeep(request);
  event.waitUntil(network.catch(() => null));
  const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, "slow"));
  try {
    const first = await Promise.race([network, timeout]);
    if (first !== "slow") return first;
    return (await fallback(request)) || (await network);
  } catch {
    return (await fallback(request)) || caches.match(OFFLINE_URL, { cacheName: SHELL_CACHE });
  }
}

/** An htmx fragment: the network's, else (slow or failed) its last copy, else a 503. */
async function fragment(request) {
  const network = networkThenKeep(request, PARTS_PREFIX);
  const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, "slow"));
  const copy = async () => (await currentCache(PARTS_PREFIX))?.match(request);
  try {
    const first = await Promise.race([network, timeout]);
    if (first !== "slow") return first;
    return (await copy()) || (await network);
  } catch {
    return (await copy()) || new Response("", { status: 503 });
  }
}

/** Fetch, and keep a signed-in user's successful HTML page (or fragment) in their cache. */
async function networkThenKeep(request, prefix = PAGES_PREFIX) {
  const started = Date.now();
  const response = await fetch(request);
  if (response.ok) serverAnswered(started).catch(() => {});
  const user = response.headers.get(USER_HEADER);
  const html = (response.headers.get("Content-Type") || "").startsWith("text/html");
  if (user && html && response.ok && !response.redirected) {
    const cache = await userCache(prefix, user);
    await cache.put(request, response.clone());
    trim(cache);
    if (prefix === PAGES_PREFIX && !(await cache.match(SHELL_PAGE))) refreshShellPage();
  }
  return response;
}

/**
 * The offline app shell for the routes it draws; else this page's last copy, marked; else
 * the shell again, whose "not available offline" view keeps the user inside the app.
 */
async function fallback(request) {
  const cache = await currentCache(PAGES_PREFIX);
  if (!cache) return null;
  const path = new URL(request.url).pathname;
  const shell = await cache.match(SHELL_PAGE);
  // The paths the offline views draw from the phone's copy (the views' own router says).
  if (shell && route(path).name !== "unavailable") return shell;
  const copy = await cache.match(request);
  return copy ? marked(copy) : shell || null;
}

/** The copy with `data-from-cache` on <html>, so the page says it is not live. */
async function marked(response) {
  const when = response.headers.get("Date") || new Date().toUTCString();
  const text = (await response.text()).replace("<html ", `<html data-from-cache="${new Date(when).toISOString()}" `);
  return new Response(text, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/** The signed-in user's cache of pages or fragments; another user's are dropped first. */
async function userCache(prefix, user) {
  const names = await caches.keys();
  const others = names.filter((n) => USER_CACHES.some((p) => n.startsWith(p)) && !n.endsWith(`-u${user}`));
  await Promise.all(others.map((n) => caches.delete(n)));
  return caches.open(`${prefix}${user}`);
}

async function currentCache(prefix) {
  const name = (await caches.keys()).find((n) => n.startsWith(prefix));
  return name ? caches.open(name) : null;
}

async function trim(cache) {
  const keys = await cache.keys();
  const extra = keys.length - MAX_PAGES;
  const shell = new URL(SHELL_PAGE, self.location.origin).href;
  for (const key of keys.filter((k) => k.url !== shell).slice(0, Math.max(0, extra))) {
    await cache.delete(key);
  }
}

/** A server form's post: sent when the network answers, else kept in the outbox. */
async function postOrKeep(request, write) {
  const body = await request.clone().text();
  const started = Date.now();
  try {
    const response = await fetch(request);
    serverAnswered(started).catch(() => {});
    return response;
  } catch {
    const form = new URLSearchParams(body);
    const match = new URL(request.url).pathname.match(write.pattern);
    const clientId = match[1] || form.get("client_id");
    await enqueue({
      kind: write.kind,
      url: request.url,
      format: "form",
      body,
      key: form.get("idempotency_key"),
      client_id: clientId ? Number(clientId) : null,
      label: "",
    });
    return Response.redirect(`/sync/?kept=${write.kind}`, 303);
  }
}

self.addEventListener("message", (event) => {
  if (event.data?.type === "signed-out") {
    event.waitUntil(
      caches.keys().then((names) =>
        Promise.all(names.filter((n) => USER_CACHES.some((p) => n.startsWith(p))).map((n) => caches.delete(n))),
      ),
    );
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(replay());
});

// Web Push: a supervisor's new override request (and other alerts) as a notification;
// tapping it opens the page it names. On a request the supervisor can decide, "Aprobar" and
// "Rechazar" send the answer from the notification itself (static/js/notifications.js).
self.addEventListener("push", (event) => {
  const [title, options] = notificationFor(event.data ? event.data.json() : {});
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const plan = tapPlan(event.action, event.notification.data || {});
  event.waitUntil(plan.decision ? answerFromNotification(plan, event.notification.tag) : openPage(plan.open));
});

/** Send the decision; confirm it (or say why not) in a notification, or open the page. */
async function answerFromNotification(plan, tag) {
  const next = await sendDecision(plan, fetch);
  if (next.open) return openPage(next.open);
  const [title, options] = notificationFor({ ...next.notify, tag });
  return self.registration.showNotification(title, options);
}

/** Focus the app's window on that page, or open one. */
async function openPage(path) {
  const url = new URL(path || "/", self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((w) => w.url === url);
  return open ? open.focus() : self.clients.openWindow(url);
}
