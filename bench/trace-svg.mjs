// Renders the spans of one trace as a static SVG waterfall (for docs/trace-run.svg): one row per
// span in tree order, indented under its parent, a bar from its start to its end on a shared time
// axis, coloured by the process (service.name) that exported it.

const ROW = 24;
const LABEL_WIDTH = 430;
const BAR_WIDTH = 560;
const TOP = 96;
const COLOURS = ["#2563eb", "#059669", "#d97706", "#9333ea", "#dc2626"];

const xmlText = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** A short note from the attributes that explain a span: a run's outcome, a model call's tokens. */
function note(span) {
  const a = span.attributes;
  if (a["agnt5.outcome"]) return `outcome=${a["agnt5.outcome"]}`;
  if (a["gen_ai.operation.name"]) {
    return `tokens ${a["gen_ai.usage.input_tokens"]} in, ${a["gen_ai.usage.output_tokens"]} out, ${a["gen_ai.response.finish_reasons"]}`;
  }
  if (a["http.response.status_code"]) return `HTTP ${a["http.response.status_code"]}`;
  return "";
}

/** The spans in tree order (children by start time) with their depth. */
function rows(spans) {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map();
  for (const span of spans) {
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : "";
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered = [];
  const visit = (parent, depth) => {
    const list = (children.get(parent) ?? []).sort((a, b) =>
      a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0,
    );
    for (const span of list) {
      ordered.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit("", 0);
  return ordered;
}

/** A tick step (ms) that gives about six ticks over `totalMs`. */
function tickStep(totalMs) {
  const rough = totalMs / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? rough;
}

/**
 * @param {Array<{service: string, spanId: string, parentSpanId: string, name: string, startNs: bigint,
 *   endNs: bigint, attributes: Record<string, unknown>}>} spans the spans of one trace
 * @param {{ title: string, subtitle?: string }} labels
 * @returns {string} the SVG document
 */
export function renderWaterfall(spans, { title, subtitle = "" }) {
  const ordered = rows(spans);
  // BigInt nanoseconds: Math.min/max do not take them.
  let start = spans[0].startNs;
  let end = spans[0].endNs;
  for (const span of spans) {
    if (span.startNs < start) start = span.startNs;
    if (span.endNs > end) end = span.endNs;
  }
  const totalMs = Math.max(Number(end - start) / 1e6, 0.001);
  const x = (ns) => LABEL_WIDTH + (Number(ns - start) / 1e6 / totalMs) * BAR_WIDTH;
  const services = [...new Set(ordered.map(({ span }) => span.service))];
  const colour = (service) => COLOURS[services.indexOf(service) % COLOURS.length];
  const width = LABEL_WIDTH + BAR_WIDTH + 170;
  const height = TOP + ordered.length * ROW + 40;

  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-sans-serif, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12" role="img">`,
    // An accessible name for the picture (screen readers; biome's noSvgWithoutTitle).
    `<title>${xmlText(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600" fill="#111827">${xmlText(title)}</text>`,
    `<text x="12" y="40" fill="#4b5563">${xmlText(subtitle)}</text>`,
  );
  // Legend: one swatch per process.
  let legendX = 12;
  for (const service of services) {
    parts.push(
      `<rect x="${legendX}" y="50" width="10" height="10" rx="2" fill="${colour(service)}"/>`,
      `<text x="${legendX + 14}" y="59" fill="#374151">${xmlText(service)}</text>`,
    );
    legendX += 30 + service.length * 7;
  }
  // Time axis.
  const step = tickStep(totalMs);
  for (let ms = 0; ms <= totalMs + 1e-9; ms += step) {
    const tickX = LABEL_WIDTH + (ms / totalMs) * BAR_WIDTH;
    parts.push(
      `<line x1="${tickX.toFixed(1)}" y1="${TOP - 8}" x2="${tickX.toFixed(1)}" y2="${height - 30}" stroke="#e5e7eb"/>`,
      `<text x="${tickX.toFixed(1)}" y="${TOP - 12}" text-anchor="middle" fill="#6b7280">${+ms.toFixed(3)} ms</text>`,
    );
  }
  ordered.forEach(({ span, depth }, index) => {
    const y = TOP + index * ROW;
    if (index % 2 === 1) parts.push(`<rect x="0" y="${y}" width="${width}" height="${ROW}" fill="#f9fafb"/>`);
    parts.push(
      `<text x="${12 + depth * 16}" y="${y + 16}" fill="#111827">${xmlText(span.name)}</text>`,
      `<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end" fill="#9ca3af">${xmlText(span.service)}</text>`,
    );
    const barX = x(span.startNs);
    const barWidth = Math.max(x(span.endNs) - barX, 1.5);
    const durationMs = Number(span.endNs - span.startNs) / 1e6;
    const failed = span.status?.code === 2;
    parts.push(
      `<rect x="${barX.toFixed(1)}" y="${y + 5}" width="${barWidth.toFixed(1)}" height="${ROW - 10}" rx="2" fill="${colour(span.service)}"${failed ? ' stroke="#dc2626" stroke-width="2"' : ""}><title>${xmlText(`${span.name}: ${durationMs.toFixed(2)} ms ${note(span)}`)}</title></rect>`,
    );
    // The duration beside the bar: right of it when there is room, else left of it, else inside it.
    const label = `${durationMs.toFixed(1)} ms${note(span) ? ` · ${note(span)}` : ""}`;
    const labelWidth = label.length * 6.6;
    const barEnd = barX + barWidth;
    const [labelX, anchor, fill] =
      width - barEnd - 8 >= labelWidth
        ? [barEnd + 6, "start", "#374151"]
        : barX - LABEL_WIDTH - 6 >= labelWidth
          ? [barX - 6, "end", "#374151"]
          : [barX + 6, "start", "#ffffff"];
    parts.push(
      `<text x="${labelX.toFixed(1)}" y="${y + 16}" text-anchor="${anchor}" fill="${fill}">${xmlText(label)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
