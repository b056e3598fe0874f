"""Draws icons/source.png (1024x1024), the master the app icon set is generated from
(`npx tauri icon icons/source.png -o icons`): a blue rounded square, a white ring, a white
'W' made of strokes, and a small green key-dot for 'signed in safely'. Pure Python, no PIL."""
import math, struct, zlib, pathlib

N = 1024
px = bytearray(N * N * 4)

def put(x, y, rgba):
    i = (y * N + x) * 4
    a = rgba[3] / 255.0
    for k in range(3):
        px[i + k] = int(rgba[k] * a + px[i + k] * (1 - a))
    px[i + 3] = max(px[i + 3], rgba[3])

def seg_dist(px_, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0, min(1, ((px_ - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px_ - (ax + t * dx), py - (ay + t * dy))

W = [(300, 380), (400, 660), (512, 440), (624, 660), (724, 380)]
for y in range(N):
    for x in range(N):
        # rounded square background
        r, m = 200, 40
        cx = min(max(x, m + r), N - m - r)
        cy = min(max(y, m + r), N - m - r)
        d = math.hypot(x - cx, y - cy)
        if d <= r:
            shade = int(40 * y / N)
            put(x, y, (33, 117 - shade // 2, 200 - shade, 255))
        else:
            continue
        ring = abs(math.hypot(x - 512, y - 512) - 330)
        if ring < 22:
            put(x, y, (255, 255, 255, 255))
        w = min(seg_dist(x, y, *W[i], *W[i + 1]) for i in range(4))
        if w < 34:
            put(x, y, (255, 255, 255, 255))
        if math.hypot(x - 760, y - 760) < 70:
            put(x, y, (46, 204, 113, 255))

raw = b"".join(b"\x00" + bytes(px[y * N * 4:(y + 1) * N * 4]) for y in range(N))
def chunk(t, d):
    c = struct.pack(">I", len(d)) + t + d
    return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
pathlib.Path(__file__).with_name("source.png").write_bytes(png)
