// Shows whether the phone is online: a class on <html> and the header badge's text.
const indicator = () => document.querySelector("[data-online-indicator]");

export function showConnection(online) {
  document.documentElement.classList.toggle("offline", !online);
  const badge = indicator();
  if (badge) {
    badge.textContent = online ? badge.dataset.onlineText : badge.dataset.offlineText;
  }
}

export function watchConnection(win = window) {
  showConnection(win.navigator.onLine);
  win.addEventListener("online", () => showConnection(true));
  win.addEventListener("offline", () => showConnection(false));
}
