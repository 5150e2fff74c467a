// Which offline view a URL is. The service worker answers offline navigations with the shell
// page, so location.pathname is still the original path (/clients/12, /orders/new...). The
// paths here are the server's own (the clients, orders, collections, cases and route blueprints).

const ROUTES = [
  [/^\/(?:clients\/?)?$/, "clients"],
  [/^\/offline\/shell\/?$/, "clients"],
  [/^\/clients\/new\/?$/, "prospect"],
  [/^\/clients\/(\d+)\/?$/, "card"],
  [/^\/clients\/(\d+)\/pickups\/verify\/?$/, "pickups"],
  [/^\/orders\/new\/?$/, "order"],
  [/^\/cases\/new\/?$/, "case"],
  [/^\/collections\/clients\/(\d+)\/call\/?$/, "call"],
  [/^\/collections\/clients\/(\d+)\/receipt\/?$/, "receipt"],
  [/^\/sync\/?$/, "status"],
  [/^\/route\/?$/, "route"],
];

/** The permission each view needs beyond using the app (the server's own for the page). */
export const NEEDS = {
  order: "orders.take",
  pick: "orders.take",
  call: "collections.log",
  receipt: "collections.log",
  prospect: "clients.prospect",
  case: "cases.create",
  route: "route.view",
};

/** Views that are another page for those with this permission: the office's /clients/new is
 * the whole card form, which needs the server. */
export const NOT_FOR = {
  prospect: "clients.edit",
};

/** {name, clientId, params} for a path and query string; name "unavailable" when unknown. */
export function route(pathname, search = "") {
  const params = new URLSearchParams(search);
  for (const [pattern, name] of ROUTES) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    let clientId = match[1] ? Number(match[1]) : null;
    if (name === "order") {
      const given = params.get("client_id") ?? "";
      clientId = /^\d+$/.test(given) ? Number(given) : null;
      return { name: clientId ? "order" : "pick", clientId, params };
    }
    if (name === "case") {
      // Opened from a client's card; without a client the view says the phone lacks it.
      const given = params.get("client_id") ?? "";
      return { name, clientId: /^\d+$/.test(given) ? Number(given) : null, params };
    }
    return { name, clientId, params };
  }
  return { name: "unavailable", clientId: null, params };
}

/** Where each view lives, for links and for going back to the card after saving. */
export const paths = {
  clients: () => "/clients/",
  prospect: () => "/clients/new",
  card: (id) => `/clients/${id}`,
  order: (id) => `/orders/new?client_id=${id}`,
  call: (id) => `/collections/clients/${id}/call`,
  receipt: (id) => `/collections/clients/${id}/receipt`,
  pickups: (id) => `/clients/${id}/pickups/verify`,
  order_page: (id) => `/orders/${id}`,
  case: (id) => `/cases/new?client_id=${id}`,
  status: () => "/sync/",
  route: (day = null) => (day ? `/route/?date=${day}` : "/route/"),
};
