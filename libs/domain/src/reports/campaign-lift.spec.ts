import fc from 'fast-check';
import { SpendSummary, campaignLift } from './campaign-lift';

const summary = (values: readonly number[]): SpendSummary => ({
  households: values.length,
  sumCents: values.reduce((s, v) => s + v, 0),
  sumSquaresCents: values.reduce((s, v) => s + v * v, 0),
});

/** A seeded generator (mulberry32) and normal draws from it (Box-Muller). */
function normal(seed: number): (mean: number, sd: number) => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4_294_967_297;
  };
  return (mean, sd) =>
    mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('campaignLift', () => {
  it('computes means, the difference and Welch’s interval by hand', () => {
    // Treated 10, 20, 30: mean 20, variance 100. Control 5, 15: mean 10, variance 50.
    const lift = campaignLift(summary([10, 20, 30]), summary([5, 15]));
    const half = 1.96 * Math.sqrt(100 / 3 + 50 / 2);
    expect(lift).toEqual({
      treatedMeanCents: 20,
      controlMeanCents: 10,
      incrementalCentsPerHousehold: 10,
      low: 10 - half,
      high: 10 + half,
      confidence: 0.95,
      incrementalCents: 30,
    });
  });

  it('gives no interval when a group has fewer than two households', () => {
    const lift = campaignLift(summary([10, 20]), summary([5]));
    expect([lift.low, lift.high]).toEqual([null, null]);
    expect(campaignLift(summary([]), summary([])).incrementalCentsPerHousehold).toBe(0);
  });

  it('widens with the confidence asked for', () => {
    const treated = summary([10, 20, 30, 40]);
    const control = summary([5, 15, 25]);
    const width = (c: 0.9 | 0.95 | 0.99) => {
      const { low, high } = campaignLift(treated, control, c);
      return (high as number) - (low as number);
    };
    expect(width(0.9)).toBeLessThan(width(0.95));
    expect(width(0.95)).toBeLessThan(width(0.99));
  });

  it('recovers a synthetic campaign’s known effect within its 95 % interval', () => {
    // 2,000 treated households spend 4,000 ± 1,500 cents plus an effect of 250; 500 held out
    // spend 4,000 ± 1,500. Over 200 campaigns the interval holds the effect about 95 % of the time.
    const effect = 250;
    let covered = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const draw = normal(seed);
      const treated = Array.from({ length: 2_000 }, () => draw(4_000 + effect, 1_500));
      const control = Array.from({ length: 500 }, () => draw(4_000, 1_500));
      const { low, high } = campaignLift(summary(treated), summary(control));
      if ((low as number) <= effect && effect <= (high as number)) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.9);
    expect(covered / 200).toBeLessThanOrEqual(1);
    // And one campaign: its estimate lies within its interval, the interval holds the effect.
    const draw = normal(4_242);
    const lift = campaignLift(
      summary(Array.from({ length: 2_000 }, () => draw(4_000 + effect, 1_500))),
      summary(Array.from({ length: 500 }, () => draw(4_000, 1_500))),
    );
    expect(lift.low).toBeLessThan(effect);
    expect(lift.high).toBeGreaterThan(effect);
  });

  it('is symmetric: swapping the groups negates the lift and its interval', () => {
    const spend = fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(spend, spend, (a, b) => {
        const ab = campaignLift(summary(a), summary(b));
        const ba = campaignLift(summary(b), summary(a));
        expect(ba.incrementalCentsPerHousehold).toBeCloseTo(-ab.incrementalCentsPerHousehold, 6);
        expect(ba.low).toBeCloseTo(-(ab.high as number), 6);
        expect(ab.low as number).toBeLessThanOrEqual(ab.high as number);
      }),
    );
  });
});
