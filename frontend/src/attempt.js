// The candidate's attempt page: autosave and integrity signals.
//
// Every few seconds the code is posted to the form's data-autosave-url when it
// changed since the server last took it (the server keeps a snapshot per
// change); a failed post is retried at the next tick, and the editor's drafts
// keep the code in this browser meanwhile. Pastes into the form (their size)
// and leaving the tab (how often, how long) are counted and posted to
// data-signals-url: the start page told the candidate so.

function csrfToken() {
  return (window.polycode && window.polycode.csrfToken && window.polycode.csrfToken()) || "";
}

function post(url, body, extraHeaders) {
  return fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    keepalive: true,
    headers: { "X-CSRFToken": csrfToken(), ...extraHeaders },
  });
}

function setup(form) {
  const code = form.querySelector("textarea[name=code]");
  const language = form.querySelector("[name=language]");
  const status = form.querySelector("[data-autosave-status]");
  const seconds = Math.max(2, parseInt(form.dataset.autosaveSeconds || "5", 10));
  let lastSent = code.value + "\u0000" + (language ? language.value : "");
  let busy = false;
  // Signals not yet taken by the server survive a reload in this tab's sessionStorage.
  const pendingKey = `polycode:signals:${form.dataset.signalsUrl}`;
  const pending = JSON.parse(sessionStorage.getItem(pendingKey) || "{}");
  const pastes = Array.isArray(pending.pastes) ? pending.pastes : [];
  let leaves = Number(pending.leaves) || 0;
  let awayMs = Number(pending.awayMs) || 0;
  let leftAt = null;
  const keep = () => sessionStorage.setItem(pendingKey, JSON.stringify({ pastes, leaves, awayMs }));

  const say = (text) => {
    if (status) status.textContent = text;
  };

  async function save() {
    const current = code.value + "\u0000" + (language ? language.value : "");
    if (busy || current === lastSent) return;
    busy = true;
    const body = new FormData();
    body.append("language", language ? language.value : "");
    body.append("code", code.value);
    try {
      const response = await post(form.dataset.autosaveUrl, body, { "X-Autosave": "1" });
      if (response.ok) {
        lastSent = current;
        say(`${status ? status.dataset.messageSaved : ""} ${new Date().toLocaleTimeString()}`);
      } else if (response.status === 409 || response.status === 404) {
        // Time is up (or the attempt is gone): the page says what happened.
        window.location.reload();
      }
    } catch (_error) {
      say(status ? status.dataset.messageOffline : "");
    } finally {
      busy = false;
    }
  }

  async function report() {
    if (!pastes.length && !leaves && awayMs < 1000) return;
    const sent = { pastes: pastes.splice(0), leaves, away: Math.round(awayMs / 1000) };
    leaves = 0;
    awayMs -= sent.away * 1000;
    const body = new FormData();
    body.append("pastes", sent.pastes.join(","));
    body.append("leaves", String(sent.leaves));
    body.append("away_seconds", String(sent.away));
    // Taken out of storage before sending: a reload during the request must not count them twice.
    keep();
    try {
      const response = await post(form.dataset.signalsUrl, body, {});
      if (response.ok || [400, 404, 409].includes(response.status)) return;
    } catch (_error) {
      // kept for the next report
    }
    pastes.unshift(...sent.pastes);
    leaves += sent.leaves;
    awayMs += sent.away * 1000;
    keep();
  }

  form.addEventListener(
    "paste",
    (event) => {
      const text = event.clipboardData ? event.clipboardData.getData("text") : "";
      if (text) {
        pastes.push(text.length);
        keep();
      }
    },
    true,
  );
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      // Also on reload and close: keepalive requests outlive the page.
      leftAt = Date.now();
      flush();
    } else if (leftAt !== null) {
      leaves += 1;
      awayMs += Date.now() - leftAt;
      leftAt = null;
      keep();
      flush();
    }
  });
  // Run and Submit save the code too: what they sent is what the server has.
  form.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) lastSent = code.value + "\u0000" + (language ? language.value : "");
  });
  window.addEventListener("online", flush);
  // One request at a time: the code first, then the signals (an embedded SQLite takes one writer).
  async function flush() {
    await save();
    await report();
  }
  window.setInterval(flush, seconds * 1000);
}

for (const form of document.querySelectorAll("form[data-autosave-url]")) setup(form);
