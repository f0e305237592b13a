import type { RgbaImage } from "./image.js";

/**
 * Demo images drawn by code (no file from elsewhere): a blue handwritten-looking signature and a
 * red round seal, both on a transparent background. They stand in for an officer's scanned
 * signature and an agency's seal in tests and demos; a real deployment passes its own PNGs.
 */

type Segment = [number, number, number, number];

/** Paints anti-aliased strokes: coverage from the distance to the nearest segment, 4x4 supersampled. */
function paint(width: number, height: number, segments: Segment[], stroke: number, rgb: [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  const half = stroke / 2;
  // Bucket segments by row band to keep the distance search short.
  const band = 8;
  const bands: Segment[][] = Array.from({ length: Math.ceil(height / band) + 1 }, () => []);
  for (const s of segments) {
    const lo = Math.max(0, Math.floor((Math.min(s[1], s[3]) - half - 1) / band));
    const hi = Math.min(bands.length - 1, Math.floor((Math.max(s[1], s[3]) + half + 1) / band));
    for (let b = lo; b <= hi; b++) bands[b].push(s);
  }
  for (let py = 0; py < height; py++) {
    const near = bands[Math.floor(py / band)];
    if (near.length === 0) continue;
    for (let px = 0; px < width; px++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const x = px + (sx + 0.5) / 4;
          const y = py + (sy + 0.5) / 4;
          for (const [x1, y1, x2, y2] of near) {
            const dx = x2 - x1;
            const dy = y2 - y1;
            const l2 = dx * dx + dy * dy || 1;
            const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / l2));
            const ex = x1 + t * dx - x;
            const ey = y1 + t * dy - y;
            if (ex * ex + ey * ey <= half * half) {
              hits++;
              break;
            }
          }
        }
      }
      if (hits > 0) {
        const o = 4 * (py * width + px);
        data[o] = rgb[0];
        data[o + 1] = rgb[1];
        data[o + 2] = rgb[2];
        data[o + 3] = Math.round((255 * hits) / 16);
      }
    }
  }
  return { width, height, data };
}

function polyline(points: [number, number][]): Segment[] {
  const out: Segment[] = [];
  for (let i = 1; i < points.length; i++) out.push([points[i - 1][0], points[i - 1][1], points[i][0], points[i][1]]);
  return out;
}

function circle(cx: number, cy: number, r: number, steps = 180): Segment[] {
  const pts: [number, number][] = [];
  for (let i = 0; i <= steps; i++) pts.push([cx + r * Math.cos((2 * Math.PI * i) / steps), cy + r * Math.sin((2 * Math.PI * i) / steps)]);
  return polyline(pts);
}

let signatureCache: RgbaImage | undefined;
let sealCache: RgbaImage | undefined;

/** 360 x 140 px: a looping flourish with an underline, ink blue #1a3cc8. */
export function demoSignatureImage(): RgbaImage {
  if (signatureCache) return signatureCache;
  const pts: [number, number][] = [];
  for (let i = 0; i <= 600; i++) {
    const t = i / 600;
    const x = 30 + 290 * t + 22 * Math.sin(t * Math.PI * 10);
    const y = 70 - 38 * Math.sin(t * Math.PI * 5) * (1 - 0.5 * t) - 12 * Math.cos(t * Math.PI * 10);
    pts.push([x, y]);
  }
  const underline = polyline([
    [40, 118],
    [140, 112],
    [250, 108],
    [330, 100],
  ]);
  signatureCache = paint(360, 140, [...polyline(pts), ...underline], 5, [0x1a, 0x3c, 0xc8]);
  return signatureCache;
}

/** 300 x 300 px: two rings, a ring of dots and a five-pointed star, seal red #d71920. */
export function demoSealImage(): RgbaImage {
  if (sealCache) return sealCache;
  const c = 150;
  const segs: Segment[] = [...circle(c, c, 140), ...circle(c, c, 128), ...circle(c, c, 84)];
  // Ticks between the rings stand in for the seal's lettering.
  for (let i = 0; i < 36; i++) {
    const a = (2 * Math.PI * i) / 36;
    segs.push([c + 96 * Math.cos(a), c + 96 * Math.sin(a), c + 118 * Math.cos(a), c + 118 * Math.sin(a)]);
  }
  const star: [number, number][] = [];
  for (let i = 0; i <= 10; i++) {
    const r = i % 2 === 0 ? 60 : 24;
    const a = -Math.PI / 2 + (Math.PI * i) / 5;
    star.push([c + r * Math.cos(a), c + r * Math.sin(a)]);
  }
  segs.push(...polyline(star));
  // Fill the star with concentric strokes.
  for (let k = 1; k <= 6; k++) {
    const s = 1 - k / 7;
    segs.push(...polyline(star.map(([x, y]) => [c + (x - c) * s, c + (y - c) * s] as [number, number])));
  }
  sealCache = paint(300, 300, segs, 7, [0xd7, 0x19, 0x20]);
  return sealCache;
}
