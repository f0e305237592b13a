import type { RegistryReport, ReportLevel, Unit } from "./types.js";

/**
 * The report as one self-contained HTML page (no scripts, fonts or images fetched): the figures,
 * a stacked bar chart of certificates issued per month by level (inline SVG), and the tables.
 * Prints on A4.
 */

const LEVEL_LABEL: Record<ReportLevel, string> = { province: "Cấp tỉnh", district: "Cấp huyện", commune: "Cấp xã" };
const LEVEL_COLOR: Record<ReportLevel, string> = { province: "#1f4e9c", district: "#d9822b", commune: "#3a9a5b" };
const LEVELS: ReportLevel[] = ["province", "district", "commune"];

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const fmt = (n: number) => n.toLocaleString("vi-VN");

function monthChart(months: { month: string; byLevel: Record<ReportLevel, number> }[]): string {
  const W = 720;
  const H = 260;
  const left = 48;
  const bottom = 40;
  const top = 16;
  const max = Math.max(1, ...months.map((m) => LEVELS.reduce((s, l) => s + m.byLevel[l], 0)));
  const step = months.length ? (W - left - 10) / months.length : 0;
  const bar = Math.max(4, step * 0.7);
  const scale = (H - top - bottom) / max;
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    const y = H - bottom - v * scale;
    parts.push(`<line x1="${left}" x2="${W - 10}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11">${fmt(v)}</text>`);
  }
  months.forEach((m, i) => {
    const x = left + i * step + (step - bar) / 2;
    let y = H - bottom;
    for (const l of LEVELS) {
      const h = m.byLevel[l] * scale;
      if (h > 0) {
        y -= h;
        parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${LEVEL_COLOR[l]}"><title>${esc(m.month)} ${LEVEL_LABEL[l]}: ${m.byLevel[l]}</title></rect>`);
      }
    }
    parts.push(`<text x="${(x + bar / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle" font-size="11">${esc(m.month.slice(5))}/${esc(m.month.slice(2, 4))}</text>`);
  });
  const legend = LEVELS.map(
    (l, i) => `<rect x="${left + i * 130}" y="${H - 14}" width="12" height="12" fill="${LEVEL_COLOR[l]}"/><text x="${left + i * 130 + 18}" y="${H - 4}" font-size="12">${LEVEL_LABEL[l]}</text>`,
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Chứng thư số cấp mới theo tháng">${parts.join("")}${legend}</svg>`;
}

function table(head: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td${typeof c === "number" ? ' class="n"' : ""}>${typeof c === "number" ? fmt(c) : esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

export function renderReportHtml(
  report: RegistryReport,
  months: { month: string; byLevel: Record<ReportLevel, number> }[],
  units: Map<string, Unit>,
): string {
  const byUnit = Object.entries(report.issued.byUnit)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => [code, units.get(code)?.name ?? "", LEVEL_LABEL[units.get(code)?.reportLevel ?? "province"], n] as (string | number)[]);
  const scope = report.unit ? ` — ${esc(report.unit)} ${esc(units.get(report.unit)?.name ?? "")}` : "";
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Báo cáo chứng thư số ${esc(report.from)} – ${esc(report.to)}</title>
<style>
body{font-family:"Liberation Serif","Times New Roman",serif;margin:2em auto;max-width:780px;color:#111}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}
.muted{color:#555}.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #bbb;border-radius:6px;padding:.6em 1em;min-width:150px}
.card b{display:block;font-size:1.6em}table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:3px 8px;text-align:left}
td.n{text-align:right}th{background:#eee}@media print{body{margin:0}.card{break-inside:avoid}h2{break-after:avoid}}
@page{size:A4;margin:18mm}
</style></head><body>
<h1>Báo cáo cấp phát chứng thư số${scope}</h1>
<p class="muted">Kỳ báo cáo ${esc(report.from)} đến ${esc(report.to)} · lập lúc ${esc(report.generatedAt)}</p>
<div class="cards">
<div class="card">Cấp mới trong kỳ<b>${fmt(report.issued.total)}</b></div>
${LEVELS.map((l) => `<div class="card">${LEVEL_LABEL[l]}<b>${fmt(report.issued.byLevel[l])}</b></div>`).join("\n")}
<div class="card">Lũy kế<b>${fmt(report.cumulative.total)}</b></div>
</div>
<h2>Cấp mới theo tháng</h2>
${monthChart(months)}
<h2>Lũy kế đến ${esc(report.to)}</h2>
${table(["Cấp", "Số chứng thư"], [...LEVELS.map((l) => [LEVEL_LABEL[l], report.cumulative.byLevel[l]]), ["Tổng", report.cumulative.total]])}
<h2>Sắp hết hạn</h2>
${table(["Trong vòng", "Số chứng thư"], [["30 ngày", report.expiring["30"]], ["60 ngày", report.expiring["60"]], ["90 ngày", report.expiring["90"]]])}
<h2>Thu hồi trong kỳ</h2>
${table(["Lý do", "Số chứng thư"], [...Object.entries(report.revoked.byReason).map(([k, v]) => [k, v] as (string | number)[]), ["Tổng", report.revoked.total]])}
<h2>Thiết bị ký số (token)</h2>
${table(["Trạng thái", "Số lượng"], Object.entries(report.tokens).map(([k, v]) => [k, v]))}
<h2>Cấp mới theo đơn vị</h2>
${table(["Mã", "Đơn vị", "Cấp", "Số chứng thư"], byUnit)}
</body></html>
`;
}
