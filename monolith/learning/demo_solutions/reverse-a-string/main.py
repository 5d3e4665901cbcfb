text = input()
print(text[::-1])
