"""Demo content of the platform: users, three modules, fifteen exercises.

Every exercise reads stdin and prints to stdout, has public and hidden tests
and starter code in the six languages the runner executes. The loaders are
idempotent: they use slugs and usernames as natural keys, so running them
again leaves the same data. ``manage.py load_demo`` runs them in order (its
``LOADERS`` list), each returning a one-line summary.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError

from monolith.learning.models import Content, EditorSetting, Module, ProgrammingLanguage, Tag, Validator

# --- users --------------------------------------------------------------------

#: (username, password, is_staff/superuser). Dev-only credentials, printed by ``make run``.
DEMO_USERS = [
    ("learner", "learner-dev-password", False),
    ("recruiter", "recruiter-dev-password", False),
    ("staff", "staff-dev-password", True),
]


def load_users() -> str:
    """Create the demo users with ``create_user``; existing ones keep their password."""
    user_model = get_user_model()
    created = 0
    for username, password, is_staff in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=username, email=f"{username}@polycode.localhost", password=password
            )
            created += 1
        if user.is_staff != is_staff or user.is_superuser != is_staff:
            user.is_staff = user.is_superuser = is_staff
            user.save(update_fields=["is_staff", "is_superuser"])
    return f"users: {len(DEMO_USERS)} ({created} created)"


# --- starter code ---------------------------------------------------------------

LANGUAGE_VERSIONS = {
    ProgrammingLanguage.PYTHON: "3.11",
    ProgrammingLanguage.JAVASCRIPT: "Node.js 20",
    ProgrammingLanguage.C: "C17 (GCC 12)",
    ProgrammingLanguage.CPP: "C++17 (GCC 12)",
    ProgrammingLanguage.JAVA: "17",
    ProgrammingLanguage.RUST: "2021 edition",
}

# How the starter code reads the input: one line of text, one integer, two
# integers on a line, or every line. Each starter compiles, runs and prints
# something (wrong) so a learner can press "run" straight away.
STARTERS: dict[str, dict[str, str]] = {
    "line": {
        "python": "text = input()\n\n# TODO: {todo}\nprint(text)\n",
        "javascript": (
            'const lines = require("fs").readFileSync(0, "utf8").split("\\n");\n'
            "const text = lines[0];\n\n// TODO: {todo}\nconsole.log(text);\n"
        ),
        "c": (
            "#include <stdio.h>\n#include <string.h>\n\nint main(void) {{\n"
            "    static char text[100002];\n"
            "    if (!fgets(text, sizeof text, stdin)) return 0;\n"
            "    text[strcspn(text, \"\\r\\n\")] = '\\0';\n\n"
            "    /* TODO: {todo} */\n"
            '    printf("%s\\n", text);\n    return 0;\n}}\n'
        ),
        "cpp": (
            "#include <iostream>\n#include <string>\n\nint main() {{\n"
            "    std::string text;\n    std::getline(std::cin, text);\n\n"
            "    // TODO: {todo}\n    std::cout << text << '\\n';\n}}\n"
        ),
        "java": (
            "import java.io.BufferedReader;\nimport java.io.InputStreamReader;\n\n"
            "public class Main {{\n"
            "    public static void main(String[] args) throws Exception {{\n"
            "        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));\n"
            "        String text = in.readLine();\n\n"
            "        // TODO: {todo}\n        System.out.println(text);\n    }}\n}}\n"
        ),
        "rust": (
            "use std::io::{{self, Read}};\n\nfn main() {{\n"
            "    let mut input = String::new();\n"
            "    io::stdin().read_to_string(&mut input).unwrap();\n"
            '    let text = input.lines().next().unwrap_or("");\n\n'
            '    // TODO: {todo}\n    println!("{{}}", text);\n}}\n'
        ),
    },
    "int": {
        "python": "n = int(input())\n\n# TODO: {todo}\nprint(n)\n",
        "javascript": (
            'const lines = require("fs").readFileSync(0, "utf8").split("\\n");\n'
            "const n = Number(lines[0]);\n\n// TODO: {todo}\nconsole.log(n);\n"
        ),
        "c": (
            "#include <stdio.h>\n\nint main(void) {{\n"
            "    long long n;\n"
            '    if (scanf("%lld", &n) != 1) return 0;\n\n'
            "    /* TODO: {todo} */\n"
            '    printf("%lld\\n", n);\n    return 0;\n}}\n'
        ),
        "cpp": (
            "#include <iostream>\n\nint main() {{\n"
            "    long long n;\n    std::cin >> n;\n\n"
            "    // TODO: {todo}\n    std::cout << n << '\\n';\n}}\n"
        ),
        "java": (
            "import java.io.BufferedReader;\nimport java.io.InputStreamReader;\n\n"
            "public class Main {{\n"
            "    public static void main(String[] args) throws Exception {{\n"
            "        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));\n"
            "        long n = Long.parseLong(in.readLine().trim());\n\n"
            "        // TODO: {todo}\n        System.out.println(n);\n    }}\n}}\n"
        ),
        "rust": (
            "use std::io::{{self, Read}};\n\nfn main() {{\n"
            "    let mut input = String::new();\n"
            "    io::stdin().read_to_string(&mut input).unwrap();\n"
            "    let n: i64 = input.trim().parse().unwrap();\n\n"
            '    // TODO: {todo}\n    println!("{{}}", n);\n}}\n'
        ),
    },
    "pair": {
        "python": "a, b = map(int, input().split())\n\n# TODO: {todo}\nprint(a, b)\n",
        "javascript": (
            'const lines = require("fs").readFileSync(0, "utf8").split("\\n");\n'
            "const [a, b] = lines[0].trim().split(/\\s+/).map(Number);\n\n"
            "// TODO: {todo}\nconsole.log(a, b);\n"
        ),
        "c": (
            "#include <stdio.h>\n\nint main(void) {{\n"
            "    long long a, b;\n"
            '    if (scanf("%lld %lld", &a, &b) != 2) return 0;\n\n'
            "    /* TODO: {todo} */\n"
            '    printf("%lld %lld\\n", a, b);\n    return 0;\n}}\n'
        ),
        "cpp": (
            "#include <iostream>\n\nint main() {{\n"
            "    long long a, b;\n    std::cin >> a >> b;\n\n"
            "    // TODO: {todo}\n    std::cout << a << ' ' << b << '\\n';\n}}\n"
        ),
        "java": (
            "import java.io.BufferedReader;\nimport java.io.InputStreamReader;\n\n"
            "public class Main {{\n"
            "    public static void main(String[] args) throws Exception {{\n"
            "        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));\n"
            '        String[] parts = in.readLine().trim().split("\\\\s+");\n'
            "        long a = Long.parseLong(parts[0]);\n"
            "        long b = Long.parseLong(parts[1]);\n\n"
            '        // TODO: {todo}\n        System.out.println(a + " " + b);\n    }}\n}}\n'
        ),
        "rust": (
            "use std::io::{{self, Read}};\n\nfn main() {{\n"
            "    let mut input = String::new();\n"
            "    io::stdin().read_to_string(&mut input).unwrap();\n"
            "    let mut numbers = input.split_whitespace().map(|x| x.parse::<i64>().unwrap());\n"
            "    let (a, b) = (numbers.next().unwrap(), numbers.next().unwrap());\n\n"
            '    // TODO: {todo}\n    println!("{{}} {{}}", a, b);\n}}\n'
        ),
    },
    "lines": {
        "python": (
            "import sys\n\nlines = sys.stdin.read().splitlines()\n\n"
            "# TODO: {todo}\nfor line in lines:\n    print(line)\n"
        ),
        "javascript": (
            'const lines = require("fs").readFileSync(0, "utf8").split("\\n");\n\n'
            "// TODO: {todo}\nfor (const line of lines) {{\n    console.log(line);\n}}\n"
        ),
        "c": (
            "#include <stdio.h>\n#include <string.h>\n\nint main(void) {{\n"
            "    static char line[100002];\n\n"
            "    /* TODO: {todo} */\n"
            "    while (fgets(line, sizeof line, stdin)) {{\n"
            "        line[strcspn(line, \"\\r\\n\")] = '\\0';\n"
            '        printf("%s\\n", line);\n    }}\n    return 0;\n}}\n'
        ),
        "cpp": (
            "#include <iostream>\n#include <string>\n\nint main() {{\n"
            "    std::string line;\n\n"
            "    // TODO: {todo}\n"
            "    while (std::getline(std::cin, line)) {{\n"
            "        std::cout << line << '\\n';\n    }}\n}}\n"
        ),
        "java": (
            "import java.io.BufferedReader;\nimport java.io.InputStreamReader;\n\n"
            "public class Main {{\n"
            "    public static void main(String[] args) throws Exception {{\n"
            "        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));\n"
            "        String line;\n\n"
            "        // TODO: {todo}\n"
            "        while ((line = in.readLine()) != null) {{\n"
            "            System.out.println(line);\n        }}\n    }}\n}}\n"
        ),
        "rust": (
            "use std::io::{{self, Read}};\n\nfn main() {{\n"
            "    let mut input = String::new();\n"
            "    io::stdin().read_to_string(&mut input).unwrap();\n\n"
            "    // TODO: {todo}\n"
            '    for line in input.lines() {{\n        println!("{{}}", line);\n    }}\n}}\n'
        ),
    },
}


def starter_code(*, shape: str, language: str, todo: str) -> str:
    return STARTERS[shape][language].format(todo=todo)


# --- content ---------------------------------------------------------------------


@dataclass(frozen=True)
class Test:
    stdin: list[str]
    expected: list[str]
    hidden: bool = False


@dataclass(frozen=True)
class DemoExercise:
    slug: str
    title: str
    statement: str
    input_spec: str
    output_spec: str
    shape: str
    todo: str
    reward: int
    tests: list[Test]
    languages: tuple[str, ...] = tuple(ProgrammingLanguage.values)

    @property
    def body(self) -> str:
        example = next(t for t in self.tests if not t.hidden)
        sample_in = "\n".join(example.stdin)
        sample_out = "\n".join(example.expected)
        return (
            f"{self.statement}\n\n## Input\n\n{self.input_spec}\n\n## Output\n\n{self.output_spec}\n\n"
            f"## Example\n\nInput:\n\n```\n{sample_in}\n```\n\nOutput:\n\n```\n{sample_out}\n```\n"
        )


@dataclass(frozen=True)
class DemoLesson:
    slug: str
    title: str
    body: str


@dataclass(frozen=True)
class DemoModule:
    slug: str
    title: str
    kind: str
    description: str
    tags: list[str]
    reward: int
    contents: list[DemoExercise | DemoLesson]
    submodules: list["DemoModule"] = field(default_factory=list)


def _fizzbuzz(n: int) -> list[str]:
    return [
        "FizzBuzz" if i % 15 == 0 else "Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else str(i)
        for i in range(1, n + 1)
    ]


LESSON_IO = DemoLesson(
    slug="reading-input-printing-output",
    title="Reading input, printing output",
    body="""\
Every exercise on PolyCode is a small program: it **reads its input from standard input**
and **prints its answer to standard output**. Your program is run once per test, each
time with a different input, and its output is compared with the expected one.

## How your output is compared

- The output is split into lines and each line is trimmed, so spaces at the end of a line
  do not matter.
- Empty lines at the very end are ignored.
- Every other line must match the expected line exactly, and there must be as many lines.
- A program that crashes (a non-zero exit code) fails the test, whatever it printed.

## Reading a line

| language | reading one line |
|---|---|
| Python | `line = input()` |
| JavaScript | `const line = require("fs").readFileSync(0, "utf8").split("\\n")[0];` |
| C | `fgets(line, sizeof line, stdin);` |
| C++ | `std::getline(std::cin, line);` |
| Java | `String line = new BufferedReader(new InputStreamReader(System.in)).readLine();` |
| Rust | `io::stdin().read_line(&mut line).unwrap();` |

Numbers arrive as text: convert them (`int(...)`, `Number(...)`, `scanf("%lld", ...)`,
`Long.parseLong(...)`, `.parse::<i64>()`).

```python
name = input()
print(f"Hi {name}")
```

Some tests are **hidden**: you see whether they pass, not what they contain. Think about
edge cases (the smallest and largest inputs, empty text) before you submit.
""",
)

LESSON_LOOPS = DemoLesson(
    slug="conditions-and-loops",
    title="Conditions and loops",
    body="""\
A program that prints one line per number from 1 to `n` is a loop; deciding *what* to
print for each number is a condition.

```python
n = int(input())
for i in range(1, n + 1):
    if i % 2 == 0:
        print("even")
    else:
        print("odd")
```

The order of conditions matters: test the most specific case first. If a number can be
both a multiple of 3 and of 5, check for 15 before checking 3 or 5 alone.

Watch the bounds: `range(1, n + 1)` in Python, `for (int i = 1; i <= n; i++)` in C-like
languages, `for i in 1..=n` in Rust.
""",
)

LESSON_STRINGS = DemoLesson(
    slug="strings-are-sequences",
    title="Strings are sequences",
    body="""\
A string is a sequence of characters: you can walk it, index it and build a new one.

- Reverse: `text[::-1]` in Python, `text.split("").reverse().join("")` in JavaScript,
  `std::reverse(s.begin(), s.end())` in C++, `new StringBuilder(s).reverse()` in Java,
  `s.chars().rev().collect::<String>()` in Rust, and a two-index swap loop in C.
- Case: compare letters after lowering them (`lower()`, `toLowerCase()`, `tolower`).
- Keep only letters and digits with `isalnum` (C/C++/Python), `Character.isLetterOrDigit`
  (Java), `char::is_alphanumeric` (Rust) or a regular expression in JavaScript.

The inputs of this chapter are plain ASCII text.
""",
)

HELLO = DemoExercise(
    slug="hello-you",
    title="Hello, you",
    statement="Greet the person whose name you are given.",
    input_spec="One line: a name (1 to 100 characters, may contain spaces).",
    output_spec="One line: `Hello, <name>!`.",
    shape="line",
    todo="print Hello, <name>!",
    reward=10,
    tests=[
        Test(["Ada"], ["Hello, Ada!"]),
        Test(["Grace Hopper"], ["Hello, Grace Hopper!"]),
        Test(["Linus"], ["Hello, Linus!"], hidden=True),
        Test(["Margaret H."], ["Hello, Margaret H.!"], hidden=True),
    ],
)

SUM_TWO = DemoExercise(
    slug="sum-of-two-numbers",
    title="Sum of two numbers",
    statement="Add two integers.",
    input_spec="One line: two integers `a` and `b` separated by a space (-10^9 <= a, b <= 10^9).",
    output_spec="One line: `a + b`. Careful: the sum may not fit in a 32-bit integer.",
    shape="pair",
    todo="print the sum of a and b",
    reward=10,
    tests=[
        Test(["1 2"], ["3"]),
        Test(["-5 12"], ["7"]),
        Test(["0 0"], ["0"], hidden=True),
        Test(["1000000000 1000000000"], ["2000000000"], hidden=True),
        Test(["-1000000000 -999999999"], ["-1999999999"], hidden=True),
    ],
)

FIZZBUZZ = DemoExercise(
    slug="fizzbuzz",
    title="FizzBuzz",
    statement=(
        "Print the numbers from 1 to `n`, one per line, but print `Fizz` instead of multiples of 3, "
        "`Buzz` instead of multiples of 5, and `FizzBuzz` instead of multiples of both."
    ),
    input_spec="One line: an integer `n` (1 <= n <= 1000).",
    output_spec="`n` lines.",
    shape="int",
    todo="print 1..n with Fizz, Buzz and FizzBuzz",
    reward=20,
    tests=[
        Test(["5"], _fizzbuzz(5)),
        Test(["15"], _fizzbuzz(15)),
        Test(["1"], _fizzbuzz(1), hidden=True),
        Test(["100"], _fizzbuzz(100), hidden=True),
    ],
)

REVERSE = DemoExercise(
    slug="reverse-a-string",
    title="Reverse a string",
    statement="Print the text you are given backwards.",
    input_spec="One line of ASCII text (1 to 10,000 characters).",
    output_spec="One line: the characters of the text in reverse order.",
    shape="line",
    todo="print the text reversed",
    reward=15,
    tests=[
        Test(["hello"], ["olleh"]),
        Test(["PolyCode rocks"], ["skcor edoCyloP"]),
        Test(["racecar"], ["racecar"], hidden=True),
        Test(["ab cd, ef!"], ["!fe ,dc ba"], hidden=True),
        Test(["x"], ["x"], hidden=True),
    ],
)

VOWELS = DemoExercise(
    slug="count-the-vowels",
    title="Count the vowels",
    statement="Count the vowels `a`, `e`, `i`, `o`, `u` (upper or lower case) in a text. `y` is not a vowel.",
    input_spec="One line of ASCII text (1 to 10,000 characters).",
    output_spec="One line: the number of vowels.",
    shape="line",
    todo="count a, e, i, o, u in any case",
    reward=15,
    tests=[
        Test(["hello world"], ["3"]),
        Test(["PolyCode"], ["3"]),
        Test(["rhythm"], ["0"], hidden=True),
        Test(["AEIOU aeiou xyz"], ["10"], hidden=True),
    ],
)

PALINDROME = DemoExercise(
    slug="palindrome",
    title="Palindrome",
    statement=(
        "Tell whether a text reads the same backwards, ignoring case and every character "
        "that is not a letter or a digit."
    ),
    input_spec="One line of ASCII text (1 to 10,000 characters).",
    output_spec="One line: `true` or `false`.",
    shape="line",
    todo="print true if the text is a palindrome, else false",
    reward=20,
    tests=[
        Test(["racecar"], ["true"]),
        Test(["hello"], ["false"]),
        Test(["A man, a plan, a canal: Panama"], ["true"], hidden=True),
        Test(["No 'x' in Nixon"], ["true"], hidden=True),
        Test(["ab2a"], ["false"], hidden=True),
    ],
)

IS_PRIME = DemoExercise(
    slug="is-it-prime",
    title="Is it prime?",
    statement="Tell whether a number is prime.",
    input_spec="One line: an integer `n` (1 <= n <= 10^12).",
    output_spec="One line: `yes` if `n` is prime, `no` otherwise.",
    shape="int",
    todo="print yes if n is prime, else no",
    reward=25,
    tests=[
        Test(["7"], ["yes"]),
        Test(["1"], ["no"]),
        Test(["10"], ["no"]),
        Test(["2"], ["yes"], hidden=True),
        Test(["2147483647"], ["yes"], hidden=True),
        Test(["999999999989"], ["yes"], hidden=True),
        Test(["1000000000000"], ["no"], hidden=True),
    ],
)

FIBONACCI = DemoExercise(
    slug="fibonacci",
    title="Fibonacci",
    statement="Print the `n`-th Fibonacci number, where F(0) = 0, F(1) = 1 and F(n) = F(n-1) + F(n-2).",
    input_spec="One line: an integer `n` (0 <= n <= 90).",
    output_spec="One line: F(n). It fits in a signed 64-bit integer.",
    shape="int",
    todo="print the n-th Fibonacci number",
    reward=25,
    tests=[
        Test(["0"], ["0"]),
        Test(["10"], ["55"]),
        Test(["1"], ["1"], hidden=True),
        Test(["50"], ["12586269025"], hidden=True),
        Test(["90"], ["2880067194370816120"], hidden=True),
    ],
)

MAX_OF_LIST = DemoExercise(
    slug="max-of-a-list",
    title="Largest number of a list",
    statement="Find the largest number of a list.",
    input_spec="Two lines: `n` (1 <= n <= 100,000), then `n` integers separated by spaces (|x| <= 10^9).",
    output_spec="One line: the largest of the `n` integers.",
    shape="lines",
    todo="read n, then n integers, and print the largest",
    reward=20,
    tests=[
        Test(["5", "3 9 -2 7 9"], ["9"]),
        Test(["1", "42"], ["42"]),
        Test(["4", "-8 -3 -10 -4"], ["-3"], hidden=True),
        Test(["3", "1000000000 -1000000000 999999999"], ["1000000000"], hidden=True),
    ],
)

BRACKETS = DemoExercise(
    slug="balanced-brackets",
    title="Balanced brackets",
    statement=(
        "A text made of `()`, `[]` and `{}` is balanced when every bracket is closed by the "
        "matching bracket in the right order. Tell whether the text is balanced."
    ),
    input_spec="One line of 1 to 10,000 characters, each one of `()[]{}`.",
    output_spec="One line: `YES` or `NO`.",
    shape="line",
    todo="print YES if the brackets are balanced, else NO",
    reward=30,
    tests=[
        Test(["([]{})"], ["YES"]),
        Test(["([)]"], ["NO"]),
        Test(["(("], ["NO"], hidden=True),
        Test(["{[()()]}[]"], ["YES"], hidden=True),
        Test(["]"], ["NO"], hidden=True),
        Test(["(" * 5000 + ")" * 5000], ["YES"], hidden=True),
    ],
)

BINARY_SEARCH = DemoExercise(
    slug="binary-search-positions",
    title="Binary search positions",
    statement=(
        "Given a sorted list, answer queries: where does each value first appear? "
        "Use binary search: the list can be long and there can be many queries."
    ),
    input_spec=(
        "Four lines: `n` (1 <= n <= 100,000); `n` integers in ascending order; "
        "`q` (1 <= q <= 100,000); `q` integers to look for."
    ),
    output_spec="`q` lines: for each query, the 0-based index of its first occurrence, or `-1`.",
    shape="lines",
    todo="answer each query with the index of its first occurrence, or -1",
    reward=35,
    tests=[
        Test(["5", "1 3 5 7 9", "3", "7 1 4"], ["3", "0", "-1"]),
        Test(["6", "2 2 2 3 3 8", "3", "2 3 8"], ["0", "3", "5"]),
        Test(["1", "10", "2", "10 11"], ["0", "-1"], hidden=True),
        Test(["4", "-5 -5 0 5", "4", "-6 -5 5 6"], ["-1", "0", "3", "-1"], hidden=True),
    ],
)

WORD_FREQUENCY = DemoExercise(
    slug="word-frequency",
    title="Word frequency",
    statement=(
        "Count the words of a text. A word is a maximal run of letters `a`-`z` (case does not "
        "matter: count words in lower case)."
    ),
    input_spec="One line of ASCII text (1 to 10,000 characters).",
    output_spec=(
        "One line per distinct word: the word, a space and its count; the most frequent first, "
        "words with the same count in alphabetical order."
    ),
    shape="line",
    todo="print each word and its count, most frequent first",
    reward=35,
    tests=[
        Test(["the cat and the hat"], ["the 2", "and 1", "cat 1", "hat 1"]),
        Test(["Hello, hello! HELLO?"], ["hello 3"]),
        Test(["b a b a c"], ["a 2", "b 2", "c 1"], hidden=True),
        Test(["It's a dog-eat-dog world"], ["dog 2", "a 1", "eat 1", "it 1", "s 1", "world 1"], hidden=True),
    ],
)

DIGIT_SUM = DemoExercise(
    slug="sum-of-digits",
    title="Sum of digits",
    statement="Add up the digits of a (very) large number.",
    input_spec="One line: a non-negative integer of 1 to 1,000 digits.",
    output_spec="One line: the sum of its digits.",
    shape="line",
    todo="print the sum of the digits",
    reward=30,
    tests=[
        Test(["12345"], ["15"]),
        Test(["0"], ["0"]),
        Test(["9" * 41], [str(9 * 41)], hidden=True),
        Test(["1" + "0" * 999], ["1"], hidden=True),
    ],
)

RLE = DemoExercise(
    slug="run-length-encoding",
    title="Run-length encoding",
    statement=(
        "Compress a text by replacing each run of the same letter with the letter followed by "
        "the length of the run."
    ),
    input_spec="One line of 1 to 10,000 lower-case letters.",
    output_spec="One line: the encoded text, e.g. `aaab` gives `a3b1`.",
    shape="line",
    todo="print each run as the letter and its length",
    reward=40,
    tests=[
        Test(["aaabccdddd"], ["a3b1c2d4"]),
        Test(["z"], ["z1"]),
        Test(["abcabc"], ["a1b1c1a1b1c1"], hidden=True),
        Test(["z" * 12], ["z12"], hidden=True),
    ],
)

ANAGRAMS = DemoExercise(
    slug="anagrams",
    title="Anagrams",
    statement="Tell whether two texts are anagrams of each other, ignoring case and spaces.",
    input_spec="Two lines of ASCII letters and spaces (1 to 10,000 characters each).",
    output_spec="One line: `yes` or `no`.",
    shape="lines",
    todo="print yes if the two lines are anagrams, else no",
    reward=40,
    tests=[
        Test(["listen", "silent"], ["yes"]),
        Test(["hello", "world"], ["no"]),
        Test(["Dormitory", "dirty room"], ["yes"], hidden=True),
        Test(["aab", "abb"], ["no"], hidden=True),
    ],
)

MODULES = [
    DemoModule(
        slug="programming-fundamentals",
        title="Programming fundamentals",
        kind=Module.Kind.PRACTICE,
        description=(
            "Your first programs, in the language of your choice: read input, print output, "
            "decide and repeat. Then a chapter on strings."
        ),
        tags=["beginner", "fundamentals"],
        reward=50,
        contents=[LESSON_IO, HELLO, SUM_TWO, LESSON_LOOPS, FIZZBUZZ],
        submodules=[
            DemoModule(
                slug="programming-fundamentals-strings",
                title="Working with strings",
                kind=Module.Kind.SUBMODULE,
                description="Walk, reverse, count and compare text.",
                tags=["strings"],
                reward=0,
                contents=[LESSON_STRINGS, REVERSE, VOWELS, PALINDROME],
            )
        ],
    ),
    DemoModule(
        slug="algorithms-challenge",
        title="Algorithms challenge",
        kind=Module.Kind.CHALLENGE,
        description=(
            "Six classic problems where the right algorithm matters: primes, sequences, stacks, search."
        ),
        tags=["algorithms", "intermediate"],
        reward=0,
        contents=[IS_PRIME, FIBONACCI, MAX_OF_LIST, BRACKETS, BINARY_SEARCH, WORD_FREQUENCY],
    ),
    DemoModule(
        slug="problem-solving-level-1",
        title="Certified problem solver, level 1",
        kind=Module.Kind.CERTIFICATION,
        description=(
            "A timed exam of three exercises judged on hidden tests: pass it to earn the "
            "certificate. Read the statements carefully and think about edge cases."
        ),
        tags=["certification", "strings"],
        reward=200,
        contents=[DIGIT_SUM, RLE, ANAGRAMS],
    ),
]


def demo_exercises() -> list[DemoExercise]:
    def walk(modules):
        for module in modules:
            yield from (c for c in module.contents if isinstance(c, DemoExercise))
            yield from walk(module.submodules)

    return list(walk(MODULES))


# --- loaders -------------------------------------------------------------------------


def _sync_module(spec: DemoModule, *, parent: Module | None, position: int, author) -> Module:
    module, _ = Module.objects.update_or_create(
        slug=spec.slug,
        defaults={
            "title": spec.title,
            "kind": spec.kind,
            "description": spec.description,
            "reward": spec.reward,
            "parent": parent,
            "position": position,
            "is_published": True,
        },
        create_defaults={
            "title": spec.title,
            "kind": spec.kind,
            "description": spec.description,
            "reward": spec.reward,
            "parent": parent,
            "position": position,
            "is_published": True,
            "author": author,
        },
    )
    tags = [Tag.objects.get_or_create(slug=name, defaults={"name": name})[0] for name in spec.tags]
    module.tags.set(tags)
    for index, item in enumerate(spec.contents):
        _sync_content(item, module=module, position=index)
    for index, sub in enumerate(spec.submodules):
        _sync_module(sub, parent=module, position=index, author=author)
    return module


def _sync_content(item: DemoExercise | DemoLesson, *, module: Module, position: int) -> Content:
    is_exercise = isinstance(item, DemoExercise)
    content, _ = Content.objects.update_or_create(
        module=module,
        slug=item.slug,
        defaults={
            "kind": Content.Kind.EXERCISE if is_exercise else Content.Kind.LESSON,
            "title": item.title,
            "body": item.body,
            "reward": item.reward if is_exercise else 0,
            "position": position,
        },
    )
    if not is_exercise:
        return content
    # A validator's natural key is its position within the exercise.
    for index, test in enumerate(item.tests):
        Validator.objects.update_or_create(
            exercise=content,
            position=index,
            defaults={"stdin": test.stdin, "expected_stdout": test.expected, "is_hidden": test.hidden},
        )
    for extra in content.validators.filter(position__gte=len(item.tests)):
        try:
            with transaction.atomic():
                extra.delete()
        except ProtectedError:
            pass  # sold in the shop: the unlock must keep pointing at it
    for language in item.languages:
        EditorSetting.objects.update_or_create(
            exercise=content,
            language=language,
            defaults={
                "version": LANGUAGE_VERSIONS[language],
                "starter_code": starter_code(shape=item.shape, language=language, todo=item.todo),
            },
        )
    return content


def load_learning() -> str:
    """Create or update the demo modules, lessons, exercises, tests and starter code."""
    author = get_user_model().objects.filter(username="staff").first()
    for index, spec in enumerate(MODULES):
        _sync_module(spec, parent=None, position=index, author=author)
    return f"learning: {len(MODULES)} modules, {len(demo_exercises())} exercises"
