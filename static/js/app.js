// Entry module of every page: connection badge and the service worker.
import { watchConnection } from "./online.js";

watchConnection();

if ("serviceWorker" in navigator) {
  const url = document.documentElement.dataset.serviceWorker;
  navigator.serviceWorker.register(url, { scope: "/" }).catch((error) => {
    console.warn("service worker not registered", error);
  });
}
