const fs = require("fs");
const net = require("net");
const report = (what, ok) => console.log(`${what} ${ok ? "ALLOWED" : "blocked"}`);
const attempt = (fn) => { try { fn(); return true; } catch (e) { return false; } };
const lines = fs.readFileSync(0, "utf8").split("\n");
switch (lines[0].trim()) {
  case "network": {
    const s = net.connect({ host: "127.0.0.1", port: 5432 });
    s.on("connect", () => { report("tcp 5432", true); s.destroy(); });
    s.on("error", () => report("tcp 5432", false));
    require("dns").lookup("example.com", (err) => report("dns", !err));
    break;
  }
  case "secrets":
    report("shadow", attempt(() => fs.readFileSync("/etc/shadow")));
    report("settings", attempt(() => fs.readFileSync(lines[1].trim())));
    console.log("env", JSON.stringify(process.env));
    break;
  case "write":
    for (const p of ["/usr/polycode-x", "/etc/polycode-x", "/polycode-x"]) report(p, attempt(() => fs.writeFileSync(p, "x")));
    break;
  case "spawn": {
    const r = require("child_process").spawnSync("/bin/sh", ["-c", "id -u; cat /etc/shadow; echo done"]);
    process.stdout.write(r.stdout.toString());
    break;
  }
}
