#!/usr/bin/env python3
"""tests/metrics/expfmt.py: checks a text against Prometheus' text
exposition format 0.0.4 (read from stdin or the file named): every line a
# HELP, a # TYPE, another comment or a sample; metric and label names
legal; label values quoted with only \\\\, \\" and \\n escaped; values
floats; a family's TYPE before its samples, once, and its samples
together; no series twice; counters named *_total. Prints one line per
problem and exits 1 if there was any; silent and 0 otherwise."""
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(%s)(?:\{((?:%s=%s)(?:,%s=%s)*,?)?\})? (\S+)(?: (-?\d+))?$'
                    % (NAME, LABEL, VALUE, LABEL, VALUE))
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


def check(text):
    bad = []
    types, helps, done, seen = {}, set(), set(), set()
    current = None
    if text and not text.endswith('\n'):
        bad.append('the text does not end with a newline')
    for n, line in enumerate(text.splitlines(), 1):
        where = 'line %d' % n
        if line.startswith('#'):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ('HELP', 'TYPE'):
                if len(parts) < 3 or not re.fullmatch(NAME, parts[2]):
                    bad.append('%s: bad metric name in %s' % (where, parts[1]))
                    continue
                name = parts[2]
                if parts[1] == 'TYPE':
                    if len(parts) != 4 or parts[3] not in TYPES:
                        bad.append('%s: bad type for %s' % (where, name))
                    if name in types:
                        bad.append('%s: second TYPE for %s' % (where, name))
                    if name in done or name == current:
                        bad.append('%s: TYPE of %s after its samples' % (where, name))
                    types[name] = parts[3] if len(parts) == 4 else None
                else:
                    if name in helps:
                        bad.append('%s: second HELP for %s' % (where, name))
                    helps.add(name)
            continue
        if not line.strip():
            bad.append('%s: empty line' % where)
            continue
        m = SAMPLE.match(line)
        if not m:
            bad.append('%s: not a sample: %s' % (where, line))
            continue
        name, labels, value = m.group(1), m.group(2) or '', m.group(3)
        try:
            float(value)
        except ValueError:
            if value not in ('NaN', '+Inf', '-Inf'):
                bad.append('%s: bad value %s' % (where, value))
        if name != current:
            if name in done:
                bad.append('%s: samples of %s not together' % (where, name))
            if current:
                done.add(current)
            current = name
        if name not in types:
            bad.append('%s: %s has no TYPE line' % (where, name))
        elif types[name] == 'counter' and not name.endswith('_total'):
            bad.append('%s: counter %s not named *_total' % (where, name))
        keys = re.findall(r'(%s)=' % LABEL, labels)
        if len(keys) != len(set(keys)):
            bad.append('%s: a label twice' % where)
        series = (name, labels)
        if series in seen:
            bad.append('%s: series twice: %s' % (where, line))
        seen.add(series)
    return bad


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    bad = check(text)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
