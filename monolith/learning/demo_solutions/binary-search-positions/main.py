import sys
from bisect import bisect_left

lines = sys.stdin.read().split("\n")
values = [int(x) for x in lines[1].split()]
queries = [int(x) for x in lines[3].split()]
for q in queries:
    i = bisect_left(values, q)
    print(i if i < len(values) and values[i] == q else -1)
