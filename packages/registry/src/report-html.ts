import { vietnamTime } from "@kyso/core";
import { LEVEL_LABELS, REVOCATION_REASON_LABELS, TOKEN_STATUS_LABELS, type RegistryLang } from "./labels.js";
import type { RegistryReport, ReportLevel, Unit } from "./types.js";

/**
 * The report as one self-contained HTML page (no scripts, fonts or images fetched): the figures,
 * a stacked bar chart of certificates issued per month by level (inline SVG), and the tables.
 * Prints on A4. In Vietnamese by default, or English; times in Vietnam time (+07:00).
 */

const LEVEL_COLOR: Record<ReportLevel, string> = { province: "#1f4e9c", district: "#d9822b", commune: "#3a9a5b" };
const LEVELS: ReportLevel[] = ["province", "district", "commune"];

const TEXT = {
  vi: {
    title: "Báo cáo chứng thư số {from} – {to}",
    heading: "Báo cáo cấp phát chứng thư số",
    period: "Kỳ báo cáo {from} đến {to} · lập lúc {at}",
    issuedInPeriod: "Cấp mới trong kỳ",
    cumulativeCard: "Lũy kế",
    byMonth: "Cấp mới theo tháng",
    chartLabel: "Chứng thư số cấp mới theo tháng, theo cấp",
    axisLabel: "Số chứng thư",
    cumulativeUpTo: "Lũy kế đến {to}",
    level: "Cấp",
    count: "Số chứng thư",
    total: "Tổng",
    expiring: "Sắp hết hạn",
    within: "Trong vòng",
    days: "{n} ngày",
    revoked: "Thu hồi trong kỳ",
    reason: "Lý do",
    tokens: "Thiết bị ký số (token)",
    status: "Trạng thái",
    quantity: "Số lượng",
    byUnit: "Cấp mới theo đơn vị",
    code: "Mã",
    unit: "Đơn vị",
  },
  en: {
    title: "Certificate report {from} – {to}",
    heading: "Certificate issuance report",
    period: "Period {from} to {to} · generated {at}",
    issuedInPeriod: "Issued in the period",
    cumulativeCard: "In total",
    byMonth: "Issued per month",
    chartLabel: "Certificates issued per month, by level",
    axisLabel: "Certificates",
    cumulativeUpTo: "In total up to {to}",
    level: "Level",
    count: "Certificates",
    total: "Total",
    expiring: "Expiring soon",
    within: "Within",
    days: "{n} days",
    revoked: "Revoked in the period",
    reason: "Reason",
    tokens: "Signing tokens",
    status: "Status",
    quantity: "Count",
    byUnit: "Issued per unit",
    code: "Code",
    unit: "Unit",
  },
} as const satisfies Record<RegistryLang, Record<string, string>>;

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const fill = (s: string, p: Record<string, string | number>): string => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in p ? String(p[k]) : m));
const capital = (s: string): string => s.charAt(0).toLocaleUpperCase("vi") + s.slice(1);

/**
 * Ticks for a count axis: 0 and whole multiples of 1, 2 or 5 × 10^k, at most `target` + 1 of them,
 * the last at or above `max`. (Rounding max × k / 4, as before, gave repeated or uneven labels:
 * 0, 0, 1, 1, 1 for a maximum of 1; 0, 2, 4, 5, 7 for 7.)
 */
export function countAxisTicks(max: number, target = 4): number[] {
  const m = Math.max(1, Math.ceil(max));
  let step = 1;
  for (let p = 1; ; p *= 10) {
    const s = [1, 2, 5].map((f) => f * p).find((c) => Math.ceil(m / c) <= target);
    if (s) {
      step = s;
      break;
    }
  }
  const top = Math.ceil(m / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  return ticks;
}

export function monthChart(months: { month: string; byLevel: Record<ReportLevel, number> }[], lang: RegistryLang = "vi"): string {
  const T = TEXT[lang];
  const W = 720;
  const H = 270;
  const left = 52;
  const right = 10;
  const bottom = 50;
  const top = 16;
  const base = H - bottom;
  const totals = months.map((m) => LEVELS.reduce((s, l) => s + m.byLevel[l], 0));
  const ticks = countAxisTicks(Math.max(0, ...totals));
  const scale = (base - top) / ticks[ticks.length - 1];
  const fmt = (n: number) => n.toLocaleString(lang === "vi" ? "vi-VN" : "en-GB");
  const parts: string[] = [];
  for (const v of ticks) {
    const y = base - v * scale;
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${v === 0 ? "#333" : "#ddd"}"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11" data-value="${v}">${fmt(v)}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${base}" stroke="#333"/>`);
  parts.push(`<text x="12" y="${((top + base) / 2).toFixed(1)}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${((top + base) / 2).toFixed(1)})">${esc(T.axisLabel)}</text>`);
  const step = months.length ? (W - left - right) / months.length : 0;
  const bar = step * 0.7; // never wider than its slot (a 4 px minimum once made bars overlap)
  // One month label in every `every`, so that labels (about 36 px wide) never overlap.
  const every = Math.max(1, Math.ceil(36 / Math.max(step, 1)));
  months.forEach((m, i) => {
    const x = left + i * step + (step - bar) / 2;
    let y = base;
    for (const l of LEVELS) {
      const h = m.byLevel[l] * scale;
      if (h > 0) {
        y -= h;
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${LEVEL_COLOR[l]}" data-count="${m.byLevel[l]}"><title>${esc(m.month)} ${esc(LEVEL_LABELS[lang][l])}: ${m.byLevel[l]}</title></rect>`,
        );
      }
    }
    if (i % every === 0)
      parts.push(`<text x="${(x + bar / 2).toFixed(1)}" y="${base + 16}" text-anchor="middle" font-size="11">${esc(m.month.slice(5))}/${esc(m.month.slice(0, 4))}</text>`);
  });
  const legend = LEVELS.map(
    (l, i) =>
      `<rect x="${left + i * 130}" y="${H - 14}" width="12" height="12" fill="${LEVEL_COLOR[l]}"/><text x="${left + i * 130 + 18}" y="${H - 4}" font-size="12">${esc(capital(LEVEL_LABELS[lang][l]))}</text>`,
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(T.chartLabel)}">${parts.join("")}${legend}</svg>`;
}

function table(head: string[], rows: (string | number)[][], lang: RegistryLang): string {
  const fmt = (n: number) => n.toLocaleString(lang === "vi" ? "vi-VN" : "en-GB");
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td${typeof c === "number" ? ' class="n"' : ""}>${typeof c === "number" ? fmt(c) : esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

export function renderReportHtml(
  report: RegistryReport,
  months: { month: string; byLevel: Record<ReportLevel, number> }[],
  units: Map<string, Unit>,
  options: { lang?: RegistryLang } = {},
): string {
  const lang = options.lang ?? "vi";
  const T = TEXT[lang];
  const level = (l: ReportLevel) => capital(LEVEL_LABELS[lang][l]);
  const fmt = (n: number) => n.toLocaleString(lang === "vi" ? "vi-VN" : "en-GB");
  const byUnit = Object.entries(report.issued.byUnit)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => [code, units.get(code)?.name ?? "", level(units.get(code)?.reportLevel ?? "province"), n] as (string | number)[]);
  const scope = report.unit ? ` — ${esc(report.unit)} ${esc(units.get(report.unit)?.name ?? "")}` : "";
  const reasons = REVOCATION_REASON_LABELS[lang] as Record<string, string>;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(fill(T.title, { from: report.from, to: report.to }))}</title>
<style>
body{font-family:"Liberation Serif","Times New Roman",serif;margin:2em auto;max-width:780px;color:#111}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}
.muted{color:#555}.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #bbb;border-radius:6px;padding:.6em 1em;min-width:150px}
.card b{display:block;font-size:1.6em}table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:3px 8px;text-align:left}
td.n{text-align:right}th{background:#eee}@media print{body{margin:0}.card{break-inside:avoid}h2{break-after:avoid}}
@page{size:A4;margin:18mm}
</style></head><body>
<h1>${esc(T.heading)}${scope}</h1>
<p class="muted">${esc(fill(T.period, { from: report.from, to: report.to, at: vietnamTime(report.generatedAt) }))}</p>
<div class="cards">
<div class="card">${esc(T.issuedInPeriod)}<b>${fmt(report.issued.total)}</b></div>
${LEVELS.map((l) => `<div class="card">${esc(level(l))}<b>${fmt(report.issued.byLevel[l])}</b></div>`).join("\n")}
<div class="card">${esc(T.cumulativeCard)}<b>${fmt(report.cumulative.total)}</b></div>
</div>
<h2>${esc(T.byMonth)}</h2>
${monthChart(months, lang)}
<h2>${esc(fill(T.cumulativeUpTo, { to: report.to }))}</h2>
${table([T.level, T.count], [...LEVELS.map((l) => [level(l), report.cumulative.byLevel[l]]), [T.total, report.cumulative.total]], lang)}
<h2>${esc(T.expiring)}</h2>
${table([T.within, T.count], (["30", "60", "90"] as const).map((d) => [fill(T.days, { n: d }), report.expiring[d]]), lang)}
<h2>${esc(T.revoked)}</h2>
${table([T.reason, T.count], [...Object.entries(report.revoked.byReason).map(([k, v]) => [capital(reasons[k] ?? k), v] as (string | number)[]), [T.total, report.revoked.total]], lang)}
<h2>${esc(T.tokens)}</h2>
${table([T.status, T.quantity], Object.entries(report.tokens).map(([k, v]) => [capital((TOKEN_STATUS_LABELS[lang] as Record<string, string>)[k] ?? k), v]), lang)}
<h2>${esc(T.byUnit)}</h2>
${table([T.code, T.unit, T.level, T.count], byUnit, lang)}
</body></html>
`;
}
