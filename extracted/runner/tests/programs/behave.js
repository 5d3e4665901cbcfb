const data = require("fs").readFileSync(0, "utf8");
const nl = data.indexOf("\n");
const cmd = (nl < 0 ? data : data.slice(0, nl)).trim();
const rest = nl < 0 ? "" : data.slice(nl + 1);
switch (cmd) {
  case "hello": console.log("Hello, World!"); break;
  case "echo": process.stdout.write(rest); break;
  case "crash": throw new Error("boom");
  case "wrong": console.log(42); break;
  case "spin": for (;;) {} // eslint-disable-line no-empty
  case "sleep": setInterval(() => {}, 1000); break;
  case "alloc": { const a = []; for (;;) a.push(new Array(1e6).fill(1.5)); }
}
