// A store's weekly sales, forecast by Holt's linear trend (exponential smoothing of a level and a
// trend), with its error on held-out weeks: the model is fitted on all weeks but the last
// `heldOut`, forecasts those, and is judged against what was sold (mean absolute error and mean
// absolute percentage error, beside the naive forecast's: last week's sales again). Then it is
// fitted on every week and forecasts the next `horizon`. The smoothing weights are those, of a
// small grid, with the least one-week-ahead squared error over the weeks fitted.

export interface ForecastError {
  /** Mean absolute error, in the series' unit. */
  mae: number;
  /** Mean absolute percentage error (0.1: 10 %), over the weeks with sales; null without any. */
  mape: number | null;
}

export interface SalesForecast {
  /** The next `horizon` weeks after the last one given, rounded to whole units. */
  forecast: number[];
  /** The model's error on the held-out weeks, and the naive forecast's; null without enough weeks. */
  heldOut: { weeks: number; model: ForecastError; naive: ForecastError } | null;
  alpha: number;
  beta: number;
}

const GRID = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

interface Fit {
  level: number;
  trend: number;
  alpha: number;
  beta: number;
  sse: number;
}

function fitHolt(series: readonly number[], alpha: number, beta: number): Fit {
  let level = series[0];
  let trend = series.length > 1 ? series[1] - series[0] : 0;
  let sse = 0;
  for (let t = 1; t < series.length; t++) {
    const predicted = level + trend;
    sse += (series[t] - predicted) ** 2;
    const previous = level;
    level = alpha * series[t] + (1 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1 - beta) * trend;
  }
  return { level, trend, alpha, beta, sse };
}

function bestFit(series: readonly number[]): Fit {
  let best: Fit | null = null;
  for (const alpha of GRID)
    for (const beta of GRID) {
      const candidate = fitHolt(series, alpha, beta);
      if (best === null || candidate.sse < best.sse) best = candidate;
    }
  return best as Fit;
}

function ahead(model: Fit, weeks: number): number[] {
  return Array.from({ length: weeks }, (_, h) => Math.max(0, model.level + (h + 1) * model.trend));
}

function errorOf(predicted: readonly number[], actual: readonly number[]): ForecastError {
  const absolute = actual.map((a, i) => Math.abs(a - predicted[i]));
  const withSales = actual.map((a, i) => [a, absolute[i]]).filter(([a]) => a !== 0);
  return {
    mae: absolute.reduce((s, e) => s + e, 0) / actual.length,
    mape:
      withSales.length === 0
        ? null
        : withSales.reduce((s, [a, e]) => s + e / Math.abs(a), 0) / withSales.length,
  };
}

/** Forecasts `horizon` weeks after `weeks` (oldest first), judged on the last `heldOut` of them. */
export function forecastWeeklySales(
  weeks: readonly number[],
  horizon: number,
  heldOut: number,
): SalesForecast {
  if (weeks.length === 0)
    return { forecast: Array(horizon).fill(0), heldOut: null, alpha: 0, beta: 0 };
  const training = weeks.slice(0, weeks.length - heldOut);
  const judged =
    heldOut > 0 && training.length >= 2
      ? (() => {
          const actual = weeks.slice(training.length);
          return {
            weeks: heldOut,
            model: errorOf(ahead(bestFit(training), heldOut), actual),
            naive: errorOf(Array(heldOut).fill(training[training.length - 1]), actual),
          };
        })()
      : null;
  const model = bestFit(weeks);
  return {
    forecast: ahead(model, horizon).map(Math.round),
    heldOut: judged,
    alpha: model.alpha,
    beta: model.beta,
  };
}
