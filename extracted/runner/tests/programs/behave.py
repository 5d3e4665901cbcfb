import sys
import time

cmd = sys.stdin.readline().strip()
if cmd == "hello":
    print("Hello, World!")
elif cmd == "echo":
    sys.stdout.write(sys.stdin.read())
elif cmd == "crash":
    raise ValueError("boom")
elif cmd == "wrong":
    print(42)
elif cmd == "spin":
    while True:
        pass
elif cmd == "sleep":
    time.sleep(1000)
elif cmd == "alloc":
    chunks = []
    while True:
        chunks.append(b"x" * (1 << 20))
