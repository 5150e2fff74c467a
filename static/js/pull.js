// Pull-to-refresh: dragging down from the top of the page asks for a sync.
const THRESHOLD_PX = 80;

export function watchPull(doc, onPull) {
  let startY = null;
  let busy = false;
  doc.addEventListener("touchstart", (event) => {
    startY = window.scrollY === 0 && event.touches.length === 1 ? event.touches[0].clientY : null;
  }, { passive: true });
  doc.addEventListener("touchend", async (event) => {
    if (startY === null || busy) return;
    const pulled = event.changedTouches[0].clientY - startY;
    startY = null;
    if (pulled < THRESHOLD_PX) return;
    busy = true;
    doc.documentElement.classList.add("refreshing");
    try {
      await onPull();
    } finally {
      doc.documentElement.classList.remove("refreshing");
      busy = false;
    }
  }, { passive: true });
}
