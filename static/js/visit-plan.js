// The visit plan on the phone: whether a client is due on a day, the route order and a stop's
// state, as app/clients/visit_plan.py (is_due) and app/route/rules.py (stop_state) decide them
// on the server. tests/clients/plan_cases.json holds the cases both sides pass.
//
// Days are "YYYY-MM-DD" strings counted in UTC, so the phone's time zone (or a change of
// summer time) never moves a day.

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_MS = 86_400_000;
// Without a starting week the rhythm counts from this Monday's week, as on the server.
const DEFAULT_ANCHOR = "1970-01-05";

/** Days since 1970-01-01 of a "YYYY-MM-DD" day. */
function dayNumber(iso) {
  const [year, month, day] = String(iso).slice(0, 10).split("-").map(Number);
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** 0 for Monday ... 6 for Sunday (1970-01-01 was a Thursday). */
export function weekday(iso) {
  return (((dayNumber(iso) + 3) % 7) + 7) % 7;
}

/** The day number of the Monday of the week a day is in. */
function mondayNumber(iso) {
  return dayNumber(iso) - weekday(iso);
}

/** The weekday name of a day: "mon".."sun". */
export function weekdayName(iso) {
  return WEEKDAYS[weekday(iso)];
}

/**
 * True when a plan calls for a visit on the day: `days` holds its weekday names, `everyWeeks`
 * is 1, 2 or 4 (none: 1), `weekOf` the day whose week the rhythm counts from (none: the week
 * of 5 Jan 1970). Weeks before the starting one keep the rhythm too.
 */
export function isDue(days, everyWeeks, weekOf, isoDate) {
  if (!days?.includes(weekdayName(isoDate))) return false;
  const every = everyWeeks || 1;
  if (every === 1) return true;
  const weeks = (mondayNumber(isoDate) - mondayNumber(weekOf || DEFAULT_ANCHOR)) / 7;
  return ((weeks % every) + every) % every === 0;
}

/** Route order: the position (none last), then the name without case, then the id. */
export function compareStops(a, b) {
  if ((a.position == null) !== (b.position == null)) return a.position == null ? 1 : -1;
  if (a.position !== b.position && a.position != null) return a.position - b.position;
  const nameA = a.name.toLowerCase();
  const nameB = b.name.toLowerCase();
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  return a.id - b.id;
}

export const PENDING = "pending";
export const VISITED = "visited";
export const SKIPPED = "skipped";

/**
 * {state, outcome} of a stop from its recorded outcome and the orders taken that day: an order
 * makes it a visit with an order, whatever was recorded before.
 */
export function stopState(outcome, ordersThatDay) {
  if (ordersThatDay) return { state: VISITED, outcome: "order" };
  if (!outcome) return { state: PENDING, outcome: null };
  if (outcome === "skipped") return { state: SKIPPED, outcome };
  return { state: VISITED, outcome };
}
