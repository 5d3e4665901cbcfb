const text = require("fs").readFileSync(0, "utf8").split("\n")[0].replace(/\r$/, "");
console.log(text.split("").reverse().join(""));
