def letters(text: str) -> list[str]:
    return sorted(text.replace(" ", "").lower())


first, second = input(), input()
print("yes" if letters(first) == letters(second) else "no")
