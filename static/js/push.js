// Web Push on this phone: the approvals page's "Activar notificaciones" button.
// The server gives its VAPID key; the subscription goes back to be stored for the user.

const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

function keyBytes(base64url) {
  const padded = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function send(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`push: ${response.status}`);
}

function show(panel, state) {
  for (const part of panel.querySelectorAll("[data-push-state]")) {
    part.hidden = part.dataset.pushState !== state;
  }
}

export async function setUpPush(panel) {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return show(panel, "unsupported");
  const { enabled, publicKey } = await (await fetch(panel.dataset.keyUrl, { credentials: "same-origin" })).json();
  if (!enabled) return show(panel, "off");
  const registration = await navigator.serviceWorker.ready;
  const current = await registration.pushManager.getSubscription();
  show(panel, current && Notification.permission === "granted" ? "on" : "ask");
  panel.querySelector("[data-push-enable]")?.addEventListener("click", async () => {
    if ((await Notification.requestPermission()) !== "granted") return show(panel, "denied");
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    });
    await send(panel.dataset.subscribeUrl, subscription.toJSON());
    show(panel, "on");
  });
  panel.querySelector("[data-push-disable]")?.addEventListener("click", async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await send(panel.dataset.unsubscribeUrl, { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
    }
    show(panel, "ask");
  });
}

const panel = document.querySelector("[data-push-panel]");
if (panel) setUpPush(panel).catch((error) => console.warn("push not set up", error));
