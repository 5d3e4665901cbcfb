// The live interview pad: one CodeMirror editor kept in step with the other
// editors of the pad over a WebSocket, by @codemirror/collab (operational
// transformation with the server as the central authority). Local changes are
// pushed with the version they were made on; the server refuses a stale push
// and every editor rebases on the updates it receives (receiveUpdates).
// Runs go through the same socket, so everyone in the pad sees the output.
import { collab, getSyncedVersion, receiveUpdates, sendableUpdates } from "@codemirror/collab";
import { indentWithTab } from "@codemirror/commands";
import { ChangeSet, Compartment, EditorState } from "@codemirror/state";
import { EditorView, ViewPlugin, keymap } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { languageMode } from "./languages.js";
import { editorTheme } from "./themes.js";

const STYLE_NONCE = (document.currentScript && document.currentScript.nonce) || "";
const RETRY_MS = [500, 1000, 2000, 5000];

function start(root) {
  const host = root.querySelector("[data-pad-editor]");
  const status = root.querySelector("[data-pad-status]");
  const output = root.querySelector("[data-pad-output]");
  const runButton = root.querySelector("[data-pad-run]");
  const stdin = root.querySelector("[data-pad-stdin]");
  const endForm = document.querySelector("[data-pad-end]");
  const verdictsScript = document.getElementById("pad-verdicts");
  const verdicts = verdictsScript ? JSON.parse(verdictsScript.textContent) : {};
  const say = (key) => {
    if (status) status.textContent = root.dataset[key] || "";
    root.dataset.state = key;
  };

  let socket = null;
  let view = null;
  let pushing = false;
  let retries = 0;
  let ended = false;
  let endPending = null;
  const editable = new Compartment();

  function stop() {
    if (endPending) {
      clearTimeout(endPending);
      endPending = null;
      endForm.submit();
    }
    ended = true;
    say("statusEnded");
    if (runButton) runButton.disabled = true;
    if (view) view.dispatch({ effects: editable.reconfigure(EditorView.editable.of(false)) });
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function push() {
    if (!view || pushing) return;
    const updates = sendableUpdates(view.state);
    if (!updates.length) return;
    pushing = true;
    send({
      type: "push",
      version: getSyncedVersion(view.state),
      updates: updates.map((u) => ({ clientID: u.clientID, changes: u.changes.toJSON() })),
    });
  }

  function receive(from, updates) {
    const synced = getSyncedVersion(view.state);
    if (from > synced) {
      send({ type: "pull", version: synced }); // missed some: ask for them all
      return;
    }
    const fresh = updates.slice(synced - from);
    if (fresh.length) {
      const parsed = fresh.map((u) => ({ clientID: u.clientID, changes: ChangeSet.fromJSON(u.changes) }));
      view.dispatch(receiveUpdates(view.state, parsed));
    }
    pushing = false;
    push();
  }

  function showRun(message) {
    if (!output) return;
    output.replaceChildren();
    if (message.error) {
      const p = document.createElement("p");
      p.className = "notice error";
      p.textContent = message.error;
      output.append(p);
      return;
    }
    const run = message.run;
    if (!run) return;
    const head = document.createElement("p");
    head.className = "muted";
    head.dataset.padVerdict = run.verdict;
    const byKey = `by${run.by.charAt(0).toUpperCase()}${run.by.slice(1)}`;
    head.textContent = `${root.dataset[byKey] || run.by} \u00b7 ${verdicts[run.verdict] || run.verdict}`;
    output.append(head);
    for (const part of ["compile_output", "stdout", "stderr"]) {
      if (!run[part]) continue;
      const pre = document.createElement("pre");
      pre.className = part === "stdout" ? "output" : "output stderr";
      pre.dataset.padPart = part;
      pre.textContent = run[part];
      output.append(pre);
    }
  }

  function setup(hello) {
    const syncPlugin = ViewPlugin.fromClass(
      class {
        update(update) {
          if (update.docChanged) push();
        }
      },
    );
    const state = EditorState.create({
      doc: hello.doc,
      extensions: [
        basicSetup,
        keymap.of([indentWithTab]),
        languageMode(hello.language),
        editorTheme(host.dataset.theme),
        STYLE_NONCE ? EditorView.cspNonce.of(STYLE_NONCE) : [],
        EditorView.contentAttributes.of({ "aria-label": host.dataset.label || "Code", "aria-multiline": "true" }),
        editable.of(EditorView.editable.of(true)),
        collab({ startVersion: hello.version }),
        syncPlugin,
      ],
    });
    if (view) view.destroy();
    host.replaceChildren();
    view = new EditorView({ state, parent: host });
    root.padView = view; // for the page's own tests and tools
    if (hello.run) showRun({ run: hello.run });
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}${root.dataset.socket}`);
    socket.addEventListener("open", () => {
      retries = 0;
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "hello") {
        pushing = false;
        if (view && getSyncedVersion(view.state) === message.version && !sendableUpdates(view.state).length) {
          say("statusLive");
          return;
        }
        // First contact, or back after a cut: unsent local changes are rebased when possible.
        const pending = view ? sendableUpdates(view.state) : [];
        if (view && pending.length) {
          send({ type: "pull", version: getSyncedVersion(view.state) });
        } else {
          setup(message);
        }
        say("statusLive");
      } else if (message.type === "updates") {
        receive(message.version, message.updates);
      } else if (message.type === "rejected") {
        pushing = false;
        send({ type: "pull", version: getSyncedVersion(view.state) });
      } else if (message.type === "running") {
        if (runButton) runButton.setAttribute("aria-busy", "true");
        if (output) output.dataset.running = "true";
      } else if (message.type === "output") {
        if (runButton) runButton.removeAttribute("aria-busy");
        if (output) delete output.dataset.running;
        showRun(message);
      } else if (message.type === "ended") {
        stop();
      } else if (message.type === "error") {
        pushing = false;
        if (status) status.textContent = message.detail;
      }
    });
    socket.addEventListener("close", (event) => {
      if (ended || event.code === 4410) {
        stop();
        return;
      }
      if (event.code === 4403 || (!view && retries > 2)) {
        say("statusRefused");
      } else {
        say("statusReconnecting");
      }
      setTimeout(connect, RETRY_MS[Math.min(retries++, RETRY_MS.length - 1)]);
    });
  }

  if (runButton) {
    runButton.addEventListener("click", (event) => {
      event.preventDefault();
      send({ type: "run", stdin: stdin ? stdin.value : "" });
    });
  }
  if (endForm) {
    // Asked first by app.js (data-confirm): this runs only once the interviewer confirmed.
    // Ended over the socket, so every editor of the pad hears of it at once, then the form
    // is posted (it records the end too, and brings the page of the ended interview).
    endForm.addEventListener("submit", (event) => {
      if (!socket || socket.readyState !== WebSocket.OPEN || ended) return;
      event.preventDefault();
      send({ type: "end" });
      endPending = setTimeout(() => endForm.submit(), 3000);
    });

  }
  say("statusConnecting");
  connect();
}

for (const root of document.querySelectorAll("[data-pad]")) start(root);
