// Hints on the exercise page: the exercise's shop items, bought after a
// confirmation that shows the cost and the balance; the order is followed
// until it ends and the hint is shown.
//
// The browser calls the shop API through the gateway with its session. The
// gateway's route sends /api/v1/shop/ to the monolith's legacy shop or to the
// shop service, so both answers are handled here:
// - items: a page {results: [{id, kind, title, cost, stock, owned, hint_text}]}
//   (the legacy shop adds in_stock);
// - POST purchases: the legacy purchase, 201/200 {id, item, price_paid, hint_text},
//   is bought at once; an order of the saga (the shop service, or the monolith
//   forwarding it while purchase_via_saga is on), 202/200 {id, state, reason_code,
//   reason, hint_text, status_url}, is followed on status_url with ?wait=;
// - refusals: {code, detail, fields} with a 4xx (409 insufficient_points,
//   out_of_stock, item_inactive) or 503 shop_unavailable.
// Everything shown comes from the page: URLs in data-* attributes, translated
// sentences in the #hint-messages JSON block, the row markup in a <template>.

const WAIT_SECONDS = 5;
// An order still pending after this long is left to finish on its own.
const FOLLOW_LIMIT_MS = 45000;

function readMessages() {
  const script = document.getElementById("hint-messages");
  try {
    return (script && JSON.parse(script.textContent)) || {};
  } catch {
    return {};
  }
}

const messages = readMessages();

function say(key, values = {}) {
  const template = messages[key] || messages.generic || key;
  return template.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

// "1 point" and "2 points" in English, but "0 point" in French: the page language's own rule.
const plural = new Intl.PluralRules(document.documentElement.lang || "en");

function points(n) {
  return say(plural.select(n) === "one" ? "points_one" : "points_other", { n });
}

function csrfToken() {
  if (window.polycode && window.polycode.csrfToken) return window.polycode.csrfToken();
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function idempotencyKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function withWait(url, seconds) {
  return `${url}${url.includes("?") ? "&" : "?"}wait=${seconds}`;
}

class ShopError extends Error {
  constructor(code, detail = "") {
    super(code);
    this.code = code;
    this.detail = detail;
  }
}

// {status, body} of a same-origin JSON call; a network failure is a ShopError("network").
async function call(url, { method = "GET", body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ShopError("network");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, body: data };
}

function refusal(status, body) {
  if (status === 401 || status === 403) return new ShopError("unauthenticated");
  const code = (body && body.code) || (status >= 500 ? "shop_unavailable" : "generic");
  return new ShopError(code, (body && body.detail) || "");
}

function messageFor(error) {
  if (messages[error.code]) return say(error.code);
  return say("generic", { detail: error.detail || error.code });
}

function setup(section) {
  const list = section.querySelector("[data-hints-list]");
  const loading = section.querySelector("[data-hints-loading]");
  const empty = section.querySelector("[data-hints-empty]");
  const status = section.querySelector("[data-hints-status]");
  const template = section.querySelector("template[data-hint-item]");
  const { itemsUrl, purchaseUrl, walletUrl } = section.dataset;

  function report(text, tone = "") {
    status.textContent = text;
    status.className = `hints-status${tone ? ` ${tone}` : ""}`;
  }

  // The balance is shown once on the page (#balance); a submission's result replaces it too.
  function balanceShown() {
    const element = document.getElementById("balance");
    return element ? Number(element.dataset.balance) : NaN;
  }

  function showBalance(balance) {
    const element = document.getElementById("balance");
    if (!element || !Number.isFinite(balance)) return;
    element.dataset.balance = String(balance);
    element.textContent = String(balance);
  }

  async function freshBalance() {
    try {
      const { status: code, body } = await call(walletUrl);
      if (code === 200 && body && Number.isFinite(body.balance)) {
        showBalance(body.balance);
        return body.balance;
      }
    } catch {
      // The balance on the page is shown instead.
    }
    return balanceShown();
  }

  function showOwned(row, item, hintText) {
    row.querySelector("[data-hint-owned]").hidden = false;
    row.querySelector("[data-hint-buy]").hidden = true;
    row.querySelector("[data-hint-confirm]").hidden = true;
    row.querySelector("[data-hint-stock]").hidden = true;
    const text = row.querySelector("[data-hint-text]");
    text.textContent = item.kind === "validator" ? say("validator_owned") : hintText || "";
    text.hidden = false;
  }

  function render(item) {
    const row = template.content.firstElementChild.cloneNode(true);
    row.dataset.itemId = String(item.id);
    row.querySelector("[data-hint-title]").textContent = item.title;
    row.querySelector("[data-hint-cost]").textContent = points(item.cost);
    const stock = row.querySelector("[data-hint-stock]");
    const soldOut = item.in_stock === false || item.stock === 0;
    if (soldOut || (item.stock !== null && item.stock !== undefined)) {
      stock.textContent = soldOut ? say("sold_out") : say("stock_left", { stock: item.stock });
      stock.classList.toggle("warn", soldOut);
      stock.hidden = false;
    }
    const buy = row.querySelector("[data-hint-buy]");
    buy.setAttribute("aria-label", say("buy_label", { title: item.title, cost: points(item.cost) }));
    if (item.owned) {
      showOwned(row, item, item.hint_text);
    } else if (soldOut) {
      buy.disabled = true;
    }
    buy.addEventListener("click", () => ask(row, item));
    row.querySelector("[data-hint-confirm-no]").addEventListener("click", () => {
      row.querySelector("[data-hint-confirm]").hidden = true;
      buy.hidden = false;
      buy.focus();
      report("");
    });
    row.querySelector("[data-hint-confirm-yes]").addEventListener("click", () => purchase(row, item));
    return row;
  }

  async function ask(row, item) {
    const buy = row.querySelector("[data-hint-buy]");
    buy.disabled = true;
    report(say("checking"));
    const balance = await freshBalance();
    buy.disabled = false;
    const values = { title: item.title, cost: points(item.cost), balance: points(balance) };
    if (Number.isFinite(balance) && balance < item.cost) {
      report(say("not_enough", values), "error");
      return;
    }
    report("");
    const confirm = row.querySelector("[data-hint-confirm]");
    row.querySelector("[data-hint-confirm-text]").textContent = say(
      Number.isFinite(balance) ? "confirm" : "confirm_unknown_balance",
      { ...values, after: points(balance - item.cost) },
    );
    buy.hidden = true;
    confirm.hidden = false;
    confirm.querySelector("[data-hint-confirm-yes]").focus();
  }

  // The order followed until it ends (or FOLLOW_LIMIT_MS passes): each call waits on the server.
  async function follow(order) {
    const deadline = Date.now() + FOLLOW_LIMIT_MS;
    let current = order;
    while (current.state === "pending" && Date.now() < deadline) {
      const { status: code, body } = await call(withWait(current.status_url, WAIT_SECONDS));
      if (code !== 200 || !body) throw refusal(code, body);
      current = body;
    }
    return current;
  }

  async function purchase(row, item) {
    const confirm = row.querySelector("[data-hint-confirm]");
    const buttons = confirm.querySelectorAll("button");
    buttons.forEach((button) => (button.disabled = true));
    row.setAttribute("aria-busy", "true");
    report(say("placing"));
    try {
      const { status: code, body } = await call(withWait(purchaseUrl, WAIT_SECONDS), {
        method: "POST",
        body: { item_id: item.id },
        headers: { "Idempotency-Key": idempotencyKey() },
      });
      if (![200, 201, 202].includes(code) || !body) throw refusal(code, body);
      let hintText = body.hint_text;
      if (body.state !== undefined) {
        // An order of the saga.
        let order = body;
        if (order.state === "pending") {
          report(say("pending"));
          order = await follow(order);
        }
        if (order.state === "pending") {
          report(say("still_pending"), "warning");
          confirm.hidden = true;
          return;
        }
        if (order.state !== "completed") throw new ShopError(order.reason_code || "failed", order.reason);
        hintText = order.hint_text;
      }
      showOwned(row, item, hintText);
      report(say(item.kind === "validator" ? "bought_validator" : "bought", { title: item.title }), "success");
      await freshBalance();
      const text = row.querySelector("[data-hint-text]");
      text.tabIndex = -1;
      text.focus();
    } catch (error) {
      report(messageFor(error instanceof ShopError ? error : new ShopError("network")), "error");
      confirm.hidden = true;
      row.querySelector("[data-hint-buy]").hidden = false;
      row.querySelector("[data-hint-buy]").focus();
    } finally {
      buttons.forEach((button) => (button.disabled = false));
      row.removeAttribute("aria-busy");
    }
  }

  async function load() {
    try {
      const { status: code, body } = await call(itemsUrl);
      if (code !== 200 || !body || !Array.isArray(body.results)) throw refusal(code, body);
      loading.hidden = true;
      if (!body.results.length) {
        empty.hidden = false;
        return;
      }
      list.replaceChildren(...body.results.map(render));
      list.hidden = false;
    } catch (error) {
      loading.hidden = true;
      const failure = error instanceof ShopError ? error : new ShopError("network");
      const known = ["unauthenticated", "network"].includes(failure.code);
      report(known ? messageFor(failure) : say("load_failed"), "error");
    }
  }

  load();
}

document.querySelectorAll("[data-hints]").forEach(setup);
