text = [c.lower() for c in input() if c.isalnum()]
print("true" if text == text[::-1] else "false")
