// Web Push notifications as the service worker shows them, and the answer a supervisor gives
// from one: "Aprobar" / "Rechazar" on a new override request send the decision to the JSON API
// (app/api/overrides.py) without opening the app. Plain functions, so node tests them
// (tests/js/notifications.test.mjs); service_worker/sw.js wires them to its events.
//
// The server puts the buttons only on the notifications of the approvers who can decide the
// request (app/credit/overrides.py, request_message), with what the answer needs under
// `data.decide`: the API's URL, the request, the user it was sent to and the words to confirm.

const SESSION_URL = "/api/v1/session";
const ICON = "/static/icons/icon-192.png";

/** The title and the showNotification options for a push's JSON. */
export function notificationFor(message = {}) {
  const options = {
    body: message.body || "",
    tag: message.tag || undefined,
    data: { ...(message.data || {}), url: message.url || "/", title: message.title, body: message.body || "" },
    icon: ICON,
    badge: ICON,
  };
  if (Array.isArray(message.actions) && message.actions.length) {
    options.actions = message.actions.map(({ action, title }) => ({ action, title }));
  }
  return [message.title || "Clientes en ruta", options];
}

/**
 * What a tap asks for: `{open: url}` (the notification's page), or a decision to send when
 * the tap was on one of the buttons the server offered.
 */
export function tapPlan(action, data = {}) {
  const page = data.url || "/";
  const decide = data.decide;
  if (!action || !decide?.url || !decide.answered?.[action]) return { open: page };
  return {
    decision: action,
    url: decide.url,
    // One key per request, answer and user: a second tap on the same button is a replay.
    key: `push-${decide.request_id}-${action}-u${decide.user_id}`,
    userId: decide.user_id,
    page,
    title: data.title || "",
    done: decide.answered[action],
    body: data.body || "",
  };
}

/**
 * Send the plan's decision as the signed-in user and say what to show next: `{notify: {title,
 * body, url}}` (done, or refused with the server's reason), or `{open: url}` when the page must
 * take over: nobody or somebody else is signed in, the network failed, or the server wants
 * something only the page asks for (a comment: a reason to reject).
 */
export async function sendDecision(plan, fetcher = fetch) {
  const openPage = { open: plan.page };
  let session;
  try {
    const response = await fetcher(SESSION_URL, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return openPage;
    session = await response.json();
  } catch {
    return openPage;
  }
  if (session.user_id !== plan.userId) return openPage;
  let response;
  try {
    response = await fetcher(plan.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Idempotency-Key": plan.key,
        "X-CSRFToken": session.csrf_token,
      },
      body: JSON.stringify({ decision: plan.decision }),
    });
  } catch {
    return openPage;
  }
  if (response.ok) return { notify: { title: plan.done, body: plan.body, url: plan.page } };
  const answer = await response.json().catch(() => null);
  const error = answer?.error;
  if (response.status === 422 && error?.message && !error.fields?.comment) {
    return { notify: { title: plan.title, body: error.message, url: plan.page } };
  }
  return openPage;
}
