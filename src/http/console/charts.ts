import { escapeHtml } from '../pages.js';
import { currencyExponent, formatMoney } from '../../core/money.js';

// Server-rendered SVG charts: no script, no external resources; each has a <title> and a
// <desc> listing its values, so screen readers get the numbers, not just a picture.

export interface Bar {
  label: string;
  minor: number;
}

export interface ChartOptions {
  /** The viewer's locale: digits grouped its way (default English). */
  locale?: string;
  colour?: string;
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

/** Gridlines with whole major units, grouped in the viewer's locale, and the currency above the axis. */
function axis(max: number, currency: string, plotHeight: number, locale: string): string {
  const digits = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const unit = 10 ** currencyExponent(currency);
  return (
    `<text x="${PAD.left - 6}" y="${PAD.top - 8}" text-anchor="end" font-weight="bold">${escapeHtml(currency)}</text>` +
    [0, 0.25, 0.5, 0.75, 1]
      .map((f) => {
        const y = PAD.top + plotHeight * (1 - f);
        const label = digits.format((max * f) / unit);
        return (
          `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#d9e2ec"/>` +
          `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(label)}</text>`
        );
      })
      .join('')
  );
}

function frame(title: string, description: string, inner: string): string {
  return (
    `<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHtml(title)}</title><desc>${escapeHtml(description)}</desc>${inner}</svg>`
  );
}

const describe = (bars: readonly Bar[], currency: string, locale: string) =>
  bars.map((b) => `${b.label}: ${formatMoney(b.minor, currency, locale)}`).join('; ');

/** Vertical bars, one per label (aging buckets). */
export function barChart(title: string, currency: string, bars: readonly Bar[], options: ChartOptions = {}): string {
  const { locale = 'en', colour = '#1d4ed8' } = options;
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
  return frame(title, describe(bars, currency, locale), axis(max, currency, plotHeight, locale) + body);
}

/** A line through the points, in order (collection trend by month). */
export function lineChart(title: string, currency: string, points: readonly Bar[], options: ChartOptions = {}): string {
  const { locale = 'en', colour = '#15803d' } = options;
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
    describe(points, currency, locale),
    axis(max, currency, plotHeight, locale) + `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>` + dots,
  );
}
