// Entry module of every page: connection badge, the service worker, and for a signed-in
// user the phone's copy (sync) and the outbox (replay).
import { watchConnection } from "./online.js";
import { startBackground } from "./background.js";

watchConnection();

if ("serviceWorker" in navigator) {
  const url = document.documentElement.dataset.serviceWorker;
  navigator.serviceWorker.register(url, { scope: "/", type: "module" }).catch((error) => {
    console.warn("service worker not registered", error);
  });
}

startBackground();
