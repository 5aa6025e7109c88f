/* Live counts in the dashboard's navigation: held comments, reported comments and open
 * appeals, asked for every 20 seconds while the page is visible. Counts are numbers
 * from the service, set as text. */
(() => {
  "use strict";
  const script = document.currentScript;
  const url = script && script.getAttribute("data-counts-url");
  if (!url) return;

  function show(counts) {
    for (const [path, count] of Object.entries(counts)) {
      const link = document.querySelector('nav a[href="' + path + '"]');
      if (!link || typeof count !== "number") continue;
      let badge = link.querySelector(".count");
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "count";
        link.append(" ", badge);
      }
      badge.textContent = String(count);
      badge.setAttribute("aria-label", count + " waiting");
    }
  }

  async function refresh() {
    if (document.visibilityState === "hidden") return;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) show(await response.json());
    } catch (error) {
      // Offline for a moment: the next refresh tries again.
    }
  }

  refresh();
  setInterval(refresh, 20000);
  document.addEventListener("visibilitychange", refresh);
})();
