// Per-language drafts in localStorage, so typed code survives an error page,
// a reload or a language switch. Every access is guarded: storage can be
// disabled, full or hold something unreadable, and the editor must still work.
const PREFIX = "polycode:draft:";

function storageKey(draftKey, language) {
  return `${PREFIX}${draftKey}:${language}`;
}

// -> { code, savedAt } with savedAt in milliseconds, or null.
export function readDraft(draftKey, language) {
  try {
    const raw = window.localStorage.getItem(storageKey(draftKey, language));
    if (!raw) return null;
    const draft = JSON.parse(raw);
    const savedAt = Date.parse(draft.savedAt);
    if (typeof draft.code !== "string" || Number.isNaN(savedAt)) return null;
    return { code: draft.code, savedAt };
  } catch {
    return null;
  }
}

export function writeDraft(draftKey, language, code) {
  try {
    const savedAt = new Date().toISOString();
    window.localStorage.setItem(storageKey(draftKey, language), JSON.stringify({ code, savedAt }));
  } catch {
    // Storage refused (quota, privacy mode): the textarea still carries the code.
  }
}

// The code to open a language with: a draft newer than the server's copy wins.
// `server` is { code, at } where at is milliseconds or NaN when unknown.
export function pickCode(draft, server) {
  if (draft && (Number.isNaN(server.at) || draft.savedAt > server.at) && draft.code !== server.code) {
    return { code: draft.code, restored: true };
  }
  return { code: server.code, restored: false };
}
