import re
from collections import Counter

counts = Counter(re.findall(r"[a-z]+", input().lower()))
for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
    print(word, count)
