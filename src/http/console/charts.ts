import { escapeHtml } from '../pages.js';
import { toMajorString } from '../../core/money.js';

// Server-rendered SVG charts: no script, no external resources; each has a <title> and a
// <desc> listing its values, so screen readers get the numbers, not just a picture.

export interface Bar {
  label: string;
  minor: number;
}

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { top: 20, right: 16, bottom: 40, left: 90 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function axis(max: number, currency: string, plotHeight: number): string {
  return [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = PAD.top + plotHeight * (1 - f);
      const label = toMajorString(Math.round(max * f), currency);
      return (
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#d9e2ec"/>` +
        `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(label)}</text>`
      );
    })
    .join('');
}

function frame(title: string, description: string, inner: string): string {
  return (
    `<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHtml(title)}</title><desc>${escapeHtml(description)}</desc>${inner}</svg>`
  );
}

const describe = (bars: readonly Bar[], currency: string) =>
  bars.map((b) => `${b.label}: ${toMajorString(b.minor, currency)} ${currency}`).join('; ');

/** Vertical bars, one per label (aging buckets). */
export function barChart(title: string, currency: string, bars: readonly Bar[], colour = '#1d4ed8'): string {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.minor)));
  const slot = plotWidth / Math.max(1, bars.length);
  const body = bars
    .map((bar, i) => {
      const h = (Math.max(0, bar.minor) / max) * plotHeight;
      const x = PAD.left + i * slot + slot * 0.15;
      return (
        `<rect x="${x.toFixed(1)}" y="${(PAD.top + plotHeight - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"/>` +
        `<text x="${(x + slot * 0.35).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
      );
    })
    .join('');
  return frame(title, describe(bars, currency), axis(max, currency, plotHeight) + body);
}

/** A line through the points, in order (collection trend by month). */
export function lineChart(title: string, currency: string, points: readonly Bar[], colour = '#15803d'): string {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...points.map((p) => p.minor)));
  const step = points.length > 1 ? plotWidth / (points.length - 1) : 0;
  const xy = points.map((p, i) => [PAD.left + i * step, PAD.top + plotHeight - (Math.max(0, p.minor) / max) * plotHeight] as const);
  const path = xy.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const dots = xy
    .map(
      ([x, y], i) =>
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${colour}"/>` +
        `<text x="${x.toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(points[i]!.label)}</text>`,
    )
    .join('');
  return frame(
    title,
    describe(points, currency),
    axis(max, currency, plotHeight) + `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>` + dots,
  );
}
