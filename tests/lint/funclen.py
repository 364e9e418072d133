#!/usr/bin/python3
"""Report C functions longer than a limit (body lines from the opening brace at
column 0 to the closing one). Usage: funclen.py LIMIT FILE...; exit 1 on a finding."""
import sys


def functions(path):
    name, start = None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line == "{" and i > 0:
            j = i - 1
            while j > 0 and "(" not in lines[j]:
                j -= 1
            name, start = lines[j].split("(")[0].split()[-1].lstrip("*"), i
        elif line.startswith("}") and start is not None:
            yield name, start + 1, i - start + 1
            start = None


def main():
    limit, found = int(sys.argv[1]), 0
    for path in sys.argv[2:]:
        for name, line, length in functions(path):
            if length > limit:
                print(f"{path}:{line}: {name} is {length} lines (limit {limit})")
                found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
