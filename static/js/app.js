// Entry module of every page: the connection badge at once, the service worker once the page
// has loaded, and for a signed-in user the phone's copy (sync) and the outbox (replay) once
// the page is idle: background.js and what it imports weigh more than the rest of the page's
// scripts, and a page is usable without them.
import { watchConnection } from "./online.js";

watchConnection();

const root = document.documentElement;

if ("serviceWorker" in navigator) {
  afterLoad(() => {
    navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/", type: "module" }).catch((error) => {
      console.warn("service worker not registered", error);
    });
  });
}

// A copy from the phone's cache says so at once, and sign-out must check the outbox first.
const now = root.dataset.fromCache || document.querySelector("form[data-signout]");
if (now) startBackground();
else if (root.dataset.userId) afterLoad(() => whenIdle(startBackground));

async function startBackground() {
  (await import("./background.js")).startBackground();
}

function afterLoad(task) {
  if (document.readyState === "complete") task();
  else window.addEventListener("load", task, { once: true });
}

function whenIdle(task) {
  if ("requestIdleCallback" in window) requestIdleCallback(task, { timeout: 2000 });
  else setTimeout(task, 200);
}
