// Loaded on every page: htmx, configured for a strict Content-Security-Policy
// (no eval, no inline <style> or <script>), plus the small glue the pages share.
import htmx from "htmx.org";

// Error statuses whose response body is a fragment meant for the page.
const SHOWN_ERRORS = /^(400|409|422|429|503)$/;

Object.assign(htmx.config, {
  // htmx would otherwise add an inline <style> for its indicators, which
  // `style-src 'self'` refuses; the indicator rules live in app.css instead.
  includeIndicatorStyles: false,
  // hx-on, hx-vars and js: expressions compile strings into code; the CSP forbids it.
  allowEval: false,
  allowScriptTags: false,
  // Only talk to our own origin (everything a person sees is on the gateway's).
  selfRequestsOnly: true,
  // Field errors (400/422), conflicts (409) and "try again later" (429/503)
  // come back as server-rendered fragments that must replace the form or the
  // result area; other failures keep the page as it is and raise htmx:responseError.
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: SHOWN_ERRORS.source, swap: true, error: true },
    { code: "...", swap: false, error: true },
  ],
});

window.htmx = htmx;

// Django's CSRF token: from hx-headers on <body> (htmx sends it itself) or from
// <meta name="csrf-token">, added to every non-GET htmx request that lacks it.
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) return meta.content;
  const headers = document.body && document.body.getAttribute("hx-headers");
  if (headers) {
    try {
      return JSON.parse(headers)["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }
  return "";
}

document.addEventListener("htmx:configRequest", (event) => {
  const { headers, verb } = event.detail;
  if (verb === "get" || headers["X-CSRFToken"]) return;
  const token = csrfToken();
  if (token) headers["X-CSRFToken"] = token;
});

// data-confirm="Question?" on a form (or on one of its submit buttons) asks
// before the form is sent; the question comes translated from the template.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const question =
      (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

// A request that failed without a fragment to show (network down, a 500):
// say so in the page's [data-request-error] live region, whose data-offline /
// data-failed attributes carry the translated messages.
function reportFailure(kind) {
  const region = document.querySelector("[data-request-error]");
  if (!region) return;
  region.textContent = region.getAttribute(kind === "offline" ? "data-offline" : "data-failed") || "";
  region.hidden = false;
}

function clearFailure() {
  const region = document.querySelector("[data-request-error]");
  if (region && !region.hidden) {
    region.textContent = "";
    region.hidden = true;
  }
}

document.addEventListener("htmx:sendError", () => reportFailure("offline"));
document.addEventListener("htmx:responseError", (event) => {
  if (!SHOWN_ERRORS.test(String(event.detail.xhr.status))) reportFailure("failed");
});
document.addEventListener("htmx:beforeRequest", clearFailure);

window.polycode = Object.assign(window.polycode || {}, { csrfToken });
