#!/usr/bin/env python3
# tests/storage/damage.py IMAGE OUT SEED: writes OUT, a copy of the ext2
# image IMAGE damaged one way chosen by SEED (reproducible): random bytes
# in the superblock, the group descriptors, a block or inode bitmap, the
# inode table, the root directory's or a subdirectory's blocks, or the
# image cut short. Prints the kind of damage. The layout comes from
# dumpe2fs and debugfs (e2fsprogs).
import random, subprocess, sys

img, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
data = bytearray(open(img, 'rb').read())

def dumpe2fs():
    return subprocess.run(['dumpe2fs', img], capture_output=True, text=True).stdout

def blocks_of(path):
    r = subprocess.run(['debugfs', '-R', 'blocks ' + path, img],
                       capture_output=True, text=True).stdout.split()
    return [int(x) for x in r if x.isdigit()]

info = dumpe2fs()
bsize = int([l for l in info.splitlines() if l.startswith('Block size:')][0].split()[-1])

def field(name):
    return [l for l in info.splitlines() if name in l]

def region(kind):
    if kind == 'superblock':
        return 1024, 1024
    if kind == 'descriptors':
        return (2 if bsize == 1024 else 1) * bsize, bsize
    if kind == 'bitmap':
        lines = field('bitmap at')
        blk = int(rng.choice(lines).split('bitmap at ')[1].split()[0])
        return blk * bsize, bsize
    if kind == 'inode table':
        lines = field('Inode table at')
        line = lines[0] if rng.random() < 0.7 else rng.choice(lines)
        a, b = line.split('Inode table at ')[1].split()[0].split('-')
        # the first blocks hold the inodes in use
        return int(a) * bsize, min(int(b) - int(a) + 1, 4) * bsize
    if kind == 'directory':
        blks = blocks_of('/') + blocks_of('/sub') + blocks_of('/sub/deeper')
        return rng.choice(blks) * bsize, bsize
    if kind == 'indirect':
        blks = blocks_of('/sub/random')
        return blks[12] * bsize, bsize   # the first indirect's data or itself
    raise ValueError(kind)

kinds = ['superblock', 'descriptors', 'bitmap', 'inode table', 'directory',
         'indirect', 'truncated']
kind = kinds[seed % len(kinds)]
if kind == 'truncated':
    cut = rng.randrange(2048, len(data))
    data = data[:cut]
    print('truncated at %d' % cut)
else:
    start, length = region(kind)
    n = rng.choice([1, 4, 16, 64, length])
    for _ in range(n):
        data[start + rng.randrange(length)] = rng.randrange(256)
    print('%s: %d random bytes in [%d, %d)' % (kind, n, start, start + length))
open(out, 'wb').write(data)
