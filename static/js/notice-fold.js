// A client's notices are read in full once a day: the first time this user sees them on this
// phone today (card, order, call...), then as a one-line chip that opens with a tap. An
// important notice not yet marked "Visto" always stays open. Without this module (or
// without storage) every notice shows in full, as the server draws it.

const KEY = "notices-read";
const KEPT_DAYS = 2;

/** "YYYY-MM-DD" of the phone's day. */
function today(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The notices read per day: {"2026-12-07": ["7:12:3", ...]}; older days are dropped. */
export function readLog(storage, day) {
  let log = {};
  try {
    log = JSON.parse(storage.getItem(KEY) ?? "{}") ?? {};
  } catch {
    log = {};
  }
  const keep = Object.keys(log).sort().slice(-KEPT_DAYS);
  return Object.fromEntries(keep.filter((d) => d <= day).map((d) => [d, log[d]]));
}

/**
 * Which notices (keys "user:client:notice") to fold on this page: those already read today
 * on an earlier page, except important ones waiting for their "Visto". Returns the keys to
 * fold and the log with this page's notices added.
 */
export function foldPlan(log, day, notices) {
  const read = new Set(log[day] ?? []);
  const fold = notices
    .filter((n) => read.has(n.key) && !(n.important && !n.seen))
    .map((n) => n.key);
  const after = { ...log, [day]: [...new Set([...read, ...notices.map((n) => n.key)])] };
  return { fold, log: after };
}

/** Make a folded notice a one-line chip that opens (and closes) with a tap or Enter. */
function makeChip(article) {
  article.classList.add("folded");
  article.tabIndex = 0;
  article.setAttribute("role", "button");
  article.setAttribute("aria-expanded", "false");
  const toggle = (event) => {
    if (event.type === "keydown" && event.key !== "Enter" && event.key !== " ") return;
    if (event.target.closest("form, a, button")) return;
    event.preventDefault();
    const open = article.classList.toggle("folded");
    article.setAttribute("aria-expanded", String(!open));
  };
  article.addEventListener("click", toggle);
  article.addEventListener("keydown", toggle);
}

/** Fold the notices under `root` that this user already read today on this phone. */
export function foldReadNotices(root = document, storage = globalThis.localStorage) {
  const articles = [...root.querySelectorAll("article.notice[data-notice-key]")];
  if (!articles.length || !storage) return;
  const day = today();
  const notices = articles.map((a) => ({
    key: a.dataset.noticeKey,
    important: a.classList.contains("important"),
    seen: a.classList.contains("seen"),
  }));
  let plan;
  try {
    plan = foldPlan(readLog(storage, day), day, notices);
    storage.setItem(KEY, JSON.stringify(plan.log));
  } catch {
    return; // no storage (private mode, full): every notice stays open
  }
  const folded = new Set(plan.fold);
  for (const article of articles) {
    if (folded.has(article.dataset.noticeKey)) makeChip(article);
  }
}
