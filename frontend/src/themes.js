// The editor's two themes. A few stock syntax colours fall below the 4.5:1
// contrast WCAG AA asks for (and axe-core checks) against their background;
// they are swapped for the nearest readable shade, everything else is stock.
import { HighlightStyle, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorView } from "@codemirror/view";
import { color, oneDarkHighlightStyle, oneDarkTheme } from "@codemirror/theme-one-dark";

function readable(style, swaps, themeType) {
  const specs = style.specs.map((spec) => (spec.color in swaps ? { ...spec, color: swaps[spec.color] } : spec));
  return syntaxHighlighting(HighlightStyle.define(specs, { themeType }));
}

// "light" stays light on a page shown in dark mode: CodeMirror's light style
// has no background of its own.
const light = [
  EditorView.theme({ "&": { backgroundColor: "#ffffff", color: "#1b2130" } }, { dark: false }),
  readable(defaultHighlightStyle, { "#085": "#074", "#e40": "#b30", "#f00": "#c00" }, "light"),
];

const dark = [
  oneDarkTheme,
  readable(oneDarkHighlightStyle, { [color.stone]: "#a0a8b8", [color.coral]: "#e8848b", [color.violet]: "#cf8ae3" }, "dark"),
];

export function editorTheme(name) {
  return name === "dark" ? dark : light;
}
