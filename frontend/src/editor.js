// The code editor: CodeMirror 6 over <textarea name="code" data-editor>, as a
// progressive enhancement. The textarea stays the submitted field and is kept
// in sync on every change, so a plain form post and an htmx request both carry
// the code; without JavaScript the textarea is the editor.
import { indentWithTab } from "@codemirror/commands";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { emacs } from "@replit/codemirror-emacs";
import { vim } from "@replit/codemirror-vim";
import { basicSetup } from "codemirror";
import { pickCode, readDraft, writeDraft } from "./drafts.js";
import { languageMode } from "./languages.js";
import { editorTheme } from "./themes.js";

const SAVE_DELAY_MS = 300;
// CodeMirror writes its styles into a <style> element; under a Content-Security-
// Policy without 'unsafe-inline' for styles that element needs the nonce the
// page put on this script's tag (read once here: the attribute is hidden later).
const STYLE_NONCE = (document.currentScript && document.currentScript.nonce) || "";
// How long after Escape a Tab leaves the editor instead of indenting.
const TAB_ESCAPE_MS = 2000;

function keymapExtension(name) {
  if (name === "vim") return vim();
  if (name === "emacs") return emacs();
  return [];
}

// JSON from [data-editor-*] in the form: the element itself when it is a
// <script type="application/json">, or the JSON script inside it (so Django's
// {{ value|json_script }} can be wrapped in a <div data-editor-starters>).
function readJson(form, attribute) {
  const holder = form.querySelector(`[${attribute}]`);
  if (!holder) return {};
  const script = holder.matches("script") ? holder : holder.querySelector('script[type="application/json"]');
  try {
    return (script && JSON.parse(script.textContent)) || {};
  } catch {
    return {};
  }
}

function formControl(form, attribute) {
  return Array.from(form.elements).find((element) => element.hasAttribute(attribute)) || null;
}

function press(button) {
  if (button && !button.disabled) button.click();
}

function ensureId(element, prefix) {
  if (!element.id) element.id = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  return element.id;
}

function accessibleAttributes(textarea) {
  const attributes = { "aria-multiline": "true" };
  const label = textarea.labels && textarea.labels[0];
  if (label) attributes["aria-labelledby"] = ensureId(label, "editor-label");
  else if (textarea.getAttribute("aria-label")) attributes["aria-label"] = textarea.getAttribute("aria-label");
  for (const name of ["aria-describedby", "aria-invalid", "aria-errormessage"]) {
    if (textarea.hasAttribute(name)) attributes[name] = textarea.getAttribute(name);
  }
  if (textarea.required) attributes["aria-required"] = "true";
  return attributes;
}

const enhanced = new WeakSet();

function enhance(textarea) {
  const form = textarea.form;
  if (!form || enhanced.has(textarea)) return;
  enhanced.add(textarea);
  // A page restored from htmx's history cache holds a lifeless copy of the editor.
  const stale = textarea.nextElementSibling;
  if (stale && stale.classList.contains("cm-editor")) stale.remove();

  const draftKey = textarea.dataset.draftKey || "";
  const lastAttemptAt = Date.parse(textarea.dataset.lastAttemptAt || "");
  const starters = readJson(form, "data-editor-starters");
  const attempts = readJson(form, "data-editor-attempts");
  const picker = formControl(form, "data-editor-language");
  const status = form.querySelector("[data-editor-status]") || document.querySelector("[data-editor-status]");
  let language = textarea.dataset.language || (picker && picker.value) || "";

  const languageSlot = new Compartment();
  const states = new Map(); // one EditorState (own undo history) per language
  let pendingSave = null;

  function saveNow() {
    if (!pendingSave) return;
    clearTimeout(pendingSave.timer);
    writeDraft(draftKey, pendingSave.language, view.state.doc.toString());
    pendingSave = null;
  }

  function scheduleSave() {
    if (!draftKey) return;
    if (pendingSave) clearTimeout(pendingSave.timer);
    pendingSave = { language, timer: setTimeout(saveNow, SAVE_DELAY_MS) };
  }

  const shared = [
    keymapExtension(textarea.dataset.keymap),
    basicSetup,
    keymap.of([indentWithTab]),
    editorTheme(textarea.dataset.theme),
    STYLE_NONCE ? EditorView.cspNonce.of(STYLE_NONCE) : [],
    EditorView.contentAttributes.of(accessibleAttributes(textarea)),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      textarea.value = update.state.doc.toString();
      scheduleSave();
    }),
  ];

  // The code a language opens with: the server's copy (last attempt, else the
  // starter code) unless this browser holds a newer draft.
  function openingCode(id, serverCode, serverAt) {
    const picked = pickCode(draftKey ? readDraft(draftKey, id) : null, { code: serverCode, at: serverAt });
    if (picked.restored && status) status.textContent = status.dataset.messageRestored || "Draft restored";
    return picked.code;
  }

  function stateFor(id, code) {
    if (!states.has(id)) {
      const doc = code === undefined ? openingCode(id, ...serverCopy(id)) : code;
      states.set(id, EditorState.create({ doc, extensions: [shared, languageSlot.of(languageMode(id))] }));
    }
    return states.get(id);
  }

  function serverCopy(id) {
    const attempt = attempts[id];
    if (attempt && typeof attempt.code === "string") return [attempt.code, Date.parse(attempt.at || "")];
    return [typeof starters[id] === "string" ? starters[id] : "", Number.NaN];
  }

  // defaultValue: the server's copy, even where the browser refilled the field from history.
  const initial = openingCode(language, textarea.defaultValue, lastAttemptAt);
  const view = new EditorView({ state: stateFor(language, initial) });
  textarea.value = initial;
  textarea.required = false; // a hidden required field would block submitting
  textarea.hidden = true;
  textarea.after(view.dom);
  textarea.setAttribute("data-editor-ready", "");
  if (picker && Array.from(picker.options).some((option) => option.value === language)) picker.value = language;

  function switchLanguage(next) {
    if (!next || next === language) return;
    saveNow();
    states.set(language, view.state);
    language = next;
    view.setState(stateFor(next));
    // data-language keeps naming the language of the server's copy in the textarea.
    textarea.value = view.state.doc.toString();
  }

  if (picker) picker.addEventListener("change", () => switchLanguage(picker.value));

  const reset = formControl(form, "data-editor-reset");
  if (reset) {
    reset.addEventListener("click", (event) => {
      event.preventDefault();
      const starter = typeof starters[language] === "string" ? starters[language] : "";
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: starter } });
      view.focus();
    });
  }

  // Capture phase on the form: runs before CodeMirror (and vim/emacs) see the key.
  form.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape" && view.dom.contains(event.target)) {
        view.setTabFocusMode(TAB_ESCAPE_MS);
        return;
      }
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
      event.preventDefault();
      event.stopPropagation();
      press(formControl(form, event.shiftKey ? "data-editor-submit" : "data-editor-run"));
    },
    true,
  );

  function sync() {
    textarea.value = view.state.doc.toString();
    saveNow();
  }

  form.addEventListener("submit", sync, true);
  form.addEventListener("htmx:confirm", sync); // before htmx reads the form's values
  form.addEventListener("htmx:configRequest", (event) => {
    // htmx has gathered the values by now; replace the code in what it sends.
    const parameters = event.detail.parameters;
    if (textarea.name && parameters && parameters.has(textarea.name)) {
      parameters.set(textarea.name, view.state.doc.toString());
    }
  });
  window.addEventListener("pagehide", saveNow);
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && saveNow());
}

function enhanceAll(root) {
  const scope = root && root.querySelectorAll ? root : document;
  if (scope.matches && scope.matches("textarea[data-editor]")) enhance(scope);
  for (const textarea of scope.querySelectorAll("textarea[data-editor]")) enhance(textarea);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
else enhanceAll(document);
// Forms swapped in by htmx get their editor too.
document.addEventListener("htmx:load", (event) => enhanceAll(event.target));
