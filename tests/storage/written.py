#!/usr/bin/env python3
# tests/storage/written.py LAYOUT BEFORE AFTER read|change: where did a run
# in Skiff write? Compares the image files BEFORE and AFTER block by block
# against the layout of the undamaged image they were made from (LAYOUT, a
# JSON file; `written.py --layout IMAGE LAYOUT PATH...` makes it with
# dumpe2fs and debugfs, PATH... being the files and directories the
# changing run may write).
#   read    (the program only read) the blocks allowed to change are the
#           primary superblock, the group descriptors and the inode tables
#           (times); nothing else, not a bitmap, not a data or free block
#   change  (it also created, wrote, removed, truncated) also the bitmaps,
#           the backup superblocks and descriptors, the blocks free in the
#           undamaged image (new data) and those of PATH... (and their
#           indirect blocks), in the undamaged image and as BEFORE's
#           (damaged) block maps give them: freeing a file whose damaged
#           map names a block of another file frees (and discards) that
#           block, as any ext2 would; never the blocks of the files it did
#           not touch otherwise, never block 0 (boot block) with 1 KiB
#           blocks
# Either way the image keeps its size (a write past the device's end).
# Prints "N blocks written" and exits 0, or names the blocks written
# outside (at most 8, with what they hold) and exits 1.
import json, re, subprocess, sys


def ranges(text):
    out = set()
    for a, b in re.findall(r'(\d+)(?:-(\d+))?', text):
        out.update(range(int(a), int(b or a) + 1))
    return out


def layout(img, paths):
    info = subprocess.run(['dumpe2fs', img], capture_output=True,
                          text=True).stdout
    bsize = int(re.search(r'^Block size:\s+(\d+)', info, re.M).group(1))
    lay = {'bsize': bsize, 'primary': set(), 'tables': set(), 'backup': set(),
           'bitmaps': set(), 'free': set(), 'touched': set(), 'owner': {}}
    for line in info.splitlines():
        line = line.strip()
        m = re.match(r'Primary superblock at (\d+), Group descriptors at (\S+)', line)
        if m:
            lay['primary'] |= ranges(m.group(1) + ' ' + m.group(2))
        m = re.match(r'Backup superblock at (\d+), Group descriptors at (\S+)', line)
        if m:
            lay['backup'] |= ranges(m.group(1) + ' ' + m.group(2))
        m = re.match(r'Reserved GDT blocks at (\S+)', line)
        if m:
            lay['backup'] |= ranges(m.group(1))
        for what in ('Block bitmap at', 'Inode bitmap at'):
            if line.startswith(what):
                lay['bitmaps'].add(int(line[len(what):].split()[0]))
        if line.startswith('Inode table at'):
            lay['tables'] |= ranges(line.split()[3])
        if line.startswith('Free blocks:'):
            lay['free'] |= ranges(line[len('Free blocks:'):])
    for path in all_paths(img):
        blks = blocks(img, path)
        for b in blks:
            lay['owner'][str(b)] = path
        if path in paths:
            lay['touched'] |= blks
    lay['paths'] = sorted(paths)
    for k in ('primary', 'tables', 'backup', 'bitmaps', 'free', 'touched'):
        lay[k] = sorted(lay[k])
    return lay


def all_paths(img, d='/'):
    out = [d]
    text = subprocess.run(['debugfs', '-R', 'ls -p ' + d, img],
                          capture_output=True, text=True).stdout
    for line in text.splitlines():
        f = line.strip().split('/')
        if len(f) < 7 or f[5] in ('.', '..'):
            continue
        path = (d.rstrip('/') + '/' + f[5])
        if f[2].startswith('04'):
            out += all_paths(img, path)
        else:
            out.append(path)
    return out


def blocks(img, path):
    try:
        text = subprocess.run(['debugfs', '-R', 'stat "%s"' % path, img],
                              capture_output=True, text=True,
                              timeout=60).stdout
    except subprocess.TimeoutExpired:
        return set()
    if 'BLOCKS:' not in text:
        return set()
    out = set()
    for a, b in re.findall(r'\):(\d+)(?:-(\d+))?', text.split('BLOCKS:')[1]):
        out.update(range(int(a), int(b or a) + 1))
    return out


def what(lay, i):
    if str(i) in lay['owner']:
        return 'of ' + lay['owner'][str(i)]
    for k in ('free', 'bitmaps', 'backup', 'tables', 'primary'):
        if i in lay[k]:
            return k
    return 'boot block' if i == 0 else 'unused'


def main():
    if sys.argv[1] == '--layout':
        lay = layout(sys.argv[2], set(sys.argv[4:]))
        json.dump(lay, open(sys.argv[3], 'w'))
        return 0
    lay = json.load(open(sys.argv[1]))
    before = open(sys.argv[2], 'rb').read()
    after = open(sys.argv[3], 'rb').read()
    mode = sys.argv[4]
    if len(before) != len(after):
        print('the image grew from %d to %d bytes' % (len(before), len(after)))
        return 1
    bs = lay['bsize']
    allowed = set(lay['primary']) | set(lay['tables'])
    if bs > 1024:
        allowed.add(0)           # the superblock is in block 0
    if mode == 'change':
        allowed |= set(lay['backup']) | set(lay['bitmaps']) | \
            set(lay['free']) | set(lay['touched'])
        for path in lay.get('paths', []):
            allowed |= blocks(sys.argv[2], path)
    changed, bad = 0, []
    for i in range(len(after) // bs):
        if before[i * bs:(i + 1) * bs] == after[i * bs:(i + 1) * bs]:
            continue
        changed += 1
        if i not in allowed:
            bad.append('%d (%s)' % (i, what(lay, i)))
    if bad:
        print('%d blocks written outside: %s' % (len(bad), ', '.join(bad[:8])))
        return 1
    print('%d blocks written' % changed)
    return 0


sys.exit(main())
