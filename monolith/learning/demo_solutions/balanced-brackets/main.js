const text = require("fs").readFileSync(0, "utf8").trim();
const pairs = { ")": "(", "]": "[", "}": "{" };
const stack = [];
let ok = true;
for (const c of text) {
    if (c === "(" || c === "[" || c === "{") {
        stack.push(c);
    } else if (c in pairs) {
        if (stack.length === 0 || stack.pop() !== pairs[c]) {
            ok = false;
            break;
        }
    }
}
console.log(ok && stack.length === 0 ? "YES" : "NO");
