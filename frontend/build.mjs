// Build the static files of the PCREF staff web application.
//
//   npm run build    compile the Sass, copy NHS.UK frontend scripts and images and the Vega
//                    bundles into src/pcref/web/core/static/, and write a stamp of what
//                    went in and what came out (static/.build.json)
//   npm run check    exit 1 unless the stamp matches the current sources and outputs
//
// Everything the pages load is served by the application itself (no CDN), so the
// Content-Security-Policy can stay at 'self'. The outputs are not committed; the stamp lets
// the test suite check that they are present and were built from the current sources.
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";


const FRONTEND = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(FRONTEND);
const STATIC = join(REPO, "src", "pcref", "web", "core", "static");
const STAMP = join(STATIC, ".build.json");
const MODULES = join(FRONTEND, "node_modules");

// Folders under STATIC that this build owns and recreates from scratch.
const OWNED = ["pcref", "nhsuk", "vendor"];

// Packages whose installed version must be the locked one.
const PINNED = ["nhsuk-frontend", "sass", "vega", "vega-embed", "vega-lite"];

const posix = (path) => path.split(sep).join("/");

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function filesUnder(folder) {
  const found = [];
  for (const name of readdirSync(folder).sort()) {
    if (name.startsWith(".")) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

function hashes(paths, base) {
  return Object.fromEntries(paths.map((path) => [posix(relative(base, path)), sha256(path)]));
}

function inputFiles() {
  return [
    join(FRONTEND, "build.mjs"),
    join(FRONTEND, "package.json"),
    join(FRONTEND, "package-lock.json"),
    ...filesUnder(join(FRONTEND, "src")),
  ];
}

function outputFiles() {
  return OWNED.filter((name) => existsSync(join(STATIC, name))).flatMap((name) =>
    filesUnder(join(STATIC, name)),
  );
}

function installedVersions() {
  const lock = JSON.parse(readFileSync(join(FRONTEND, "package-lock.json"), "utf8"));
  const versions = {};
  for (const name of PINNED) {
    const manifest = join(MODULES, name, "package.json");
    if (!existsSync(manifest)) {
      throw new Error(`${name} is not installed: run "npm ci" in frontend/ first`);
    }
    const installed = JSON.parse(readFileSync(manifest, "utf8")).version;
    const locked = lock.packages[`node_modules/${name}`]?.version;
    if (installed !== locked) {
      throw new Error(
        `${name} ${installed} is installed but package-lock.json pins ${locked}: run "npm ci"`,
      );
    }
    versions[name] = installed;
  }
  return versions;
}

// Copy a built JavaScript file with its source map; if the map is not shipped, drop the
// sourceMappingURL comment (Django's manifest storage refuses references to missing files).
function copyScript(source, target) {
  mkdirSync(dirname(target), { recursive: true });
  const text = readFileSync(source, "utf8");
  const match = text.match(/\/\/# sourceMappingURL=(\S+)\s*$/);
  if (match && existsSync(join(dirname(source), match[1]))) {
    writeFileSync(target, text);
    cpSync(join(dirname(source), match[1]), join(dirname(target), match[1]));
  } else {
    writeFileSync(target, match ? text.slice(0, match.index).trimEnd() + "\n" : text);
  }
}

function copyFile(source, target) {
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target);
}

async function build() {
  const versions = installedVersions();
  const sass = await import("sass");
  for (const name of OWNED) rmSync(join(STATIC, name), { recursive: true, force: true });

  // Styles: NHS.UK frontend compiled from Sass with our settings and components.
  const css = sass.compile(join(FRONTEND, "src", "scss", "main.scss"), {
    loadPaths: [MODULES],
    style: "compressed",
    quietDeps: true,
  }).css;
  mkdirSync(join(STATIC, "pcref", "css"), { recursive: true });
  writeFileSync(join(STATIC, "pcref", "css", "main.css"), css + "\n");

  // Scripts: our entry module, which imports the NHS.UK frontend module.
  copyFile(join(FRONTEND, "src", "js", "main.js"), join(STATIC, "pcref", "js", "main.js"));
  // Dashboard charts (vega-embed on the JSON specifications in the page).
  copyFile(join(FRONTEND, "src", "js", "charts.js"), join(STATIC, "pcref", "js", "charts.js"));
  const nhsuk = join(MODULES, "nhsuk-frontend");
  copyScript(
    join(nhsuk, "dist", "nhsuk", "nhsuk-frontend.min.js"),
    join(STATIC, "nhsuk", "nhsuk-frontend.min.js"),
  );

  // Images, favicons and the web app manifest the page template links to.
  cpSync(join(nhsuk, "dist", "nhsuk", "assets"), join(STATIC, "nhsuk", "assets"), {
    recursive: true,
  });

  // Charts: Vega, Vega-Lite and vega-embed as browser bundles (globals vega, vegaLite,
  // vegaEmbed), for the dashboard pages.
  for (const [name, file] of [
    ["vega", "vega.min.js"],
    ["vega-lite", "vega-lite.min.js"],
    ["vega-embed", "vega-embed.min.js"],
  ]) {
    copyScript(join(MODULES, name, "build", file), join(STATIC, "vendor", "vega", file));
    copyFile(join(MODULES, name, "LICENSE"), join(STATIC, "vendor", "vega", `${name}.LICENSE`));
  }

  const stamp = {
    note: "Written by frontend/build.mjs; checked by `npm run check` and tests/web.",
    versions,
    inputs: hashes(inputFiles(), REPO),
    outputs: hashes(outputFiles(), STATIC),
  };
  writeFileSync(STAMP, JSON.stringify(stamp, null, 2) + "\n");
  const count = Object.keys(stamp.outputs).length;
  console.log(`built ${count} files into ${posix(relative(REPO, STATIC))}/`);
}

function check() {
  if (!existsSync(STAMP)) {
    console.error(`no build found at ${posix(relative(REPO, STAMP))}: run scripts/web-build`);
    return 1;
  }
  const stamp = JSON.parse(readFileSync(STAMP, "utf8"));
  const problems = [];
  const compare = (what, expected, actual) => {
    for (const path of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      if (!(path in actual)) problems.push(`${what} ${path} is missing`);
      else if (!(path in expected)) problems.push(`${what} ${path} is new since the build`);
      else if (expected[path] !== actual[path]) problems.push(`${what} ${path} has changed`);
    }
  };
  compare("source", stamp.inputs, hashes(inputFiles(), REPO));
  compare("output", stamp.outputs, hashes(outputFiles(), STATIC));
  if (problems.length) {
    console.error(["static files are out of date (run scripts/web-build):", ...problems].join("\n  "));
    return 1;
  }
  console.log("static files match their sources");
  return 0;
}

if (process.argv.includes("--check")) {
  process.exitCode = check();
} else {
  await build();
}
