text = input().lower()
print(sum(1 for c in text if c in "aeiou"))
