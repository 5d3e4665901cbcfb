// One build step: bundles src/ into monolith/web/static/web/dist/ (committed).
// The output must be byte-identical on every build from the same sources and
// lockfile: `make assets-check` rebuilds and compares it with what is committed.
import { readFileSync, readdirSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "monolith", "web", "static", "web", "dist");
const entries = {
  app: "src/app.js",
  editor: "src/editor.js",
  pad: "src/pad.js",
  hints: "src/hints.js",
  attempt: "src/attempt.js",
  playback: "src/playback.js",
};
const LICENCE_FILES = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license", "license.md"];

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const packages = new Map();
for (const [name, entry] of Object.entries(entries)) {
  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: [entry],
    outfile: join(dist, `${name}.js`),
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020"],
    charset: "ascii",
    legalComments: "none", // the notices are collected into THIRD-PARTY-LICENSES.txt
    sourcemap: false,
    metafile: true,
    logLevel: "warning",
  });
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (match) packages.set(match[1], [...(packages.get(match[1]) || []), name].filter((v, i, a) => a.indexOf(v) === i));
  }
}

// Licence notices of every package that ended up in a bundle, in a stable order.
const notices = [...packages.keys()].sort().map((name) => {
  const root = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const file = LICENCE_FILES.find((candidate) => existsSync(join(root, candidate)));
  const text = file ? readFileSync(join(root, file), "utf8").trim() : `Licence: ${meta.license}`;
  const bundles = packages.get(name).sort().map((b) => `${b}.js`).join(", ");
  return `${name} ${meta.version} (${meta.license}) - in ${bundles}\n\n${text}\n`;
});
writeFileSync(join(dist, "THIRD-PARTY-LICENSES.txt"), notices.join(`\n${"-".repeat(72)}\n\n`));

for (const file of readdirSync(dist).sort()) console.log(`built ${file}`);
