from itertools import groupby

text = input().strip()
print("".join(f"{letter}{len(list(run))}" for letter, run in groupby(text)))
