/**
 * The HTML registry report: the chart's count axis (ticks distinct, evenly spaced, at the same
 * scale as the bars, the top tick at or above the tallest bar), times in Vietnam time, one
 * language at a time with statuses and reasons as words.
 */
import assert from "node:assert/strict";
import { countAxisTicks, monthChart, renderReportHtml, type RegistryReport, type ReportLevel } from "../src/index.js";

type Month = { month: string; byLevel: Record<ReportLevel, number> };

function months(totals: [number, number, number][]): Month[] {
  return totals.map(([province, district, commune], i) => ({ month: `2026-${String(i + 1).padStart(2, "0")}`, byLevel: { province, district, commune } }));
}

/** Reads the axis and the bars back out of the SVG, as a reader of the chart would. */
function readChart(svg: string): { ticks: { value: number; y: number }[]; bars: { count: number; height: number }[]; baseline: number } {
  const ticks = [...svg.matchAll(/<text class="tick" x="[\d.]+" y="([\d.]+)"[^>]*data-value="(\d+)">/g)].map((m) => ({ value: Number(m[2]), y: Number(m[1]) - 4 }));
  const bars = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#[0-9a-f]+" data-count="(\d+)">/g)].map((m) => ({ count: Number(m[2]), height: Number(m[1]) }));
  return { ticks, bars, baseline: ticks.find((t) => t.value === 0)!.y };
}

describe("registry HTML report", () => {
  it("chooses count ticks that are distinct, evenly spaced whole numbers reaching the maximum", () => {
    // Before: Math.round(max * k / 4) gave 0,0,1,1,1 for 1 and 0,2,4,5,7 for 7.
    assert.deepEqual(countAxisTicks(0), [0, 1]);
    assert.deepEqual(countAxisTicks(1), [0, 1]);
    assert.deepEqual(countAxisTicks(3), [0, 1, 2, 3]);
    assert.deepEqual(countAxisTicks(7), [0, 2, 4, 6, 8]);
    assert.deepEqual(countAxisTicks(10), [0, 5, 10]);
    assert.deepEqual(countAxisTicks(1234), [0, 500, 1000, 1500]);
    for (let max = 0; max <= 5000; max += 37) {
      const t = countAxisTicks(max);
      const step = t[1] - t[0];
      assert.ok(t.every((v, i) => v === i * step && Number.isInteger(v)), `${max}: ${t}`);
      assert.ok(t.at(-1)! >= max && t.length <= 5, `${max}: ${t}`);
      assert.ok(/^[125]0*$/.test(String(step)), `${max}: step ${step}`);
    }
  });

  for (const totals of [[[1, 0, 0]], [[3, 2, 2], [0, 0, 0], [1, 1, 0]], [[120, 40, 3], [7, 0, 0]]] as [number, number, number][][]) {
    const max = Math.max(...totals.map((t) => t[0] + t[1] + t[2]));
    it(`draws ticks and bars at one scale (tallest month ${max})`, () => {
      const { ticks, bars, baseline } = readChart(monthChart(months(totals)));
      assert.equal(new Set(ticks.map((t) => t.value)).size, ticks.length, "no repeated tick label");
      const perUnit = (baseline - ticks.at(-1)!.y) / ticks.at(-1)!.value;
      for (const t of ticks) assert.ok(Math.abs(baseline - t.y - t.value * perUnit) < 0.11, `tick ${t.value} at ${t.y}`);
      assert.ok(bars.length > 0);
      for (const b of bars) assert.ok(Math.abs(b.height - b.count * perUnit) < 0.11, `bar of ${b.count} is ${b.height} high, not ${b.count * perUnit}`);
      assert.ok(ticks.at(-1)!.value >= max, "the top tick is at or above the tallest bar");
    });
  }

  it("labels at most one month per 36 px, so that a long period's labels do not overlap", () => {
    const long = months(Array.from({ length: 12 }, () => [1, 0, 0] as [number, number, number])).flatMap((m, i) => [m, { ...m, month: `2027-${m.month.slice(5)}` }, { ...m, month: `2028-${String(i + 1).padStart(2, "0")}` }]);
    const xs = [...monthChart(long).matchAll(/<text x="([\d.]+)" y="236" text-anchor="middle"/g)].map((m) => Number(m[1]));
    assert.ok(xs.length >= 6 && xs.length < long.length, `${xs.length} labels`);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i] - xs[i - 1] >= 36, `labels ${xs[i - 1]} and ${xs[i]} overlap`);
  });

  const report: RegistryReport = {
    from: "2026-01-01",
    to: "2026-12-01",
    unit: null,
    generatedAt: "2026-12-01T13:25:14.382Z",
    issued: { total: 3, byLevel: { province: 2, district: 1, commune: 0 }, byUnit: { PY: 3 } },
    cumulative: { total: 3, byLevel: { province: 2, district: 1, commune: 0 } },
    expiring: { "30": 0, "60": 1, "90": 1 },
    revoked: { total: 1, byReason: { keyCompromise: 1 } },
    tokens: { in_stock: 4, issued: 2, returned: 0, lost: 1, locked: 0, destroyed: 0 },
  };
  const units = new Map([["PY", { code: "PY", name: "Tỉnh Phú Yên", level: "province" as const, reportLevel: "province" as const, parent: null }]]);

  it("shows the generation time in Vietnam time and statuses and reasons in Vietnamese", () => {
    const html = renderReportHtml(report, months([[2, 1, 0]]), units);
    assert.match(html, /lập lúc 20:25:14 01\/12\/2026 \(\+07:00\)/);
    assert.doesNotMatch(html, /T13:25:14/);
    assert.match(html, /<td>Trong kho<\/td><td class="n">4<\/td>/);
    assert.match(html, /<td>Lộ khóa bí mật<\/td><td class="n">1<\/td>/);
    assert.doesNotMatch(html, /in_stock|keyCompromise/);
  });

  it("renders in English with no Vietnamese text but the data's own names", () => {
    const html = renderReportHtml(report, months([[2, 1, 0]]), units, { lang: "en" });
    assert.match(html, /<html lang="en">/);
    assert.match(html, /generated 20:25:14 01\/12\/2026 \(\+07:00\)/);
    assert.match(html, /<td>In stock<\/td>/);
    assert.match(html, /<td>Key compromise<\/td>/);
    const text = html.replace(/Tỉnh Phú Yên/g, "").replace(/<[^>]+>/g, " ");
    assert.doesNotMatch(text, /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i, "no Vietnamese in the English page");
  });
});
