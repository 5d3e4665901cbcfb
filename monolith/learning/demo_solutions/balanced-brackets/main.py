PAIRS = {")": "(", "]": "[", "}": "{"}


def balanced(text: str) -> bool:
    stack = []
    for c in text:
        if c in "([{":
            stack.append(c)
        elif c in PAIRS and (not stack or stack.pop() != PAIRS[c]):
            return False
    return not stack


print("YES" if balanced(input().strip()) else "NO")
