import fc from 'fast-check';
import { forecastWeeklySales } from './sales-forecast';

describe('forecastWeeklySales', () => {
  it('continues a straight line exactly, with no error on the held-out weeks', () => {
    const weeks = Array.from({ length: 20 }, (_, i) => 1_000 + 50 * i);
    const result = forecastWeeklySales(weeks, 3, 4);
    expect(result.forecast).toEqual([2_000, 2_050, 2_100]);
    expect(result.heldOut?.model).toEqual({ mae: 0, mape: 0 });
    // The naive forecast repeats week 16's 1,750: off by 50, 100, 150, 200.
    expect(result.heldOut?.naive.mae).toBe(125);
  });

  it('forecasts a flat series flat', () => {
    const result = forecastWeeklySales(Array(12).fill(500), 2, 3);
    expect(result.forecast).toEqual([500, 500]);
    expect(result.heldOut?.model.mape).toBe(0);
  });

  it('computes the held-out errors by hand', () => {
    // Trained on 100, 100: level 100, trend 0. Held out: 110 and 90 -> errors 10 and 10.
    const result = forecastWeeklySales([100, 100, 110, 90], 1, 2);
    expect(result.heldOut).toEqual({
      weeks: 2,
      model: { mae: 10, mape: (10 / 110 + 10 / 90) / 2 },
      naive: { mae: 10, mape: (10 / 110 + 10 / 90) / 2 },
    });
  });

  it('judges nothing without two weeks to train on, and never forecasts below zero', () => {
    expect(forecastWeeklySales([100, 50], 2, 1).heldOut).toBeNull();
    expect(forecastWeeklySales([], 2, 1)).toEqual({
      forecast: [0, 0],
      heldOut: null,
      alpha: 0,
      beta: 0,
    });
    expect(forecastWeeklySales([300, 200, 100, 0], 3, 0).forecast).toEqual([0, 0, 0]);
  });

  it('gives `horizon` whole, non-negative weeks for any history', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        (weeks, horizon, heldOut) => {
          const { forecast } = forecastWeeklySales(weeks, horizon, heldOut);
          expect(forecast).toHaveLength(horizon);
          forecast.forEach((w) => expect(Number.isInteger(w) && w >= 0).toBe(true));
        },
      ),
    );
  });
});
