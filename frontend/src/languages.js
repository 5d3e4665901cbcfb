// Language modes by the runner's language ids (monolith ProgrammingLanguage).
import { cpp } from "@codemirror/lang-cpp";
import { java } from "@codemirror/lang-java";
import { javascript } from "@codemirror/lang-javascript";
import { python } from "@codemirror/lang-python";
import { rust } from "@codemirror/lang-rust";

const MODES = { python, javascript, c: cpp, cpp, java, rust };

// An unknown id gives a plain-text editor rather than no editor at all.
export function languageMode(id) {
  const mode = MODES[id];
  return mode ? mode() : [];
}
