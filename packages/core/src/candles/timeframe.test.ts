import { describe, expect, it } from 'vitest';
import { isTimeframe, parseStepMs, timeframeMs, TIMEFRAMES } from './timeframe.js';

describe('timeframes', () => {
  it('are 5m, 15m, 1h and 4h', () => {
    expect(TIMEFRAMES).toEqual(['5m', '15m', '1h', '4h']);
    expect(TIMEFRAMES.map(timeframeMs)).toEqual([300_000, 900_000, 3_600_000, 14_400_000]);
    expect(isTimeframe('1h')).toBe(true);
    expect(isTimeframe('1d'), 'a step, not a strategy timeframe').toBe(false);
    expect(isTimeframe('toString'), 'not an inherited key').toBe(false);
  });

  it('parses step labels of files', () => {
    expect(parseStepMs('5m')).toBe(300_000);
    expect(parseStepMs('4h')).toBe(14_400_000);
    expect(parseStepMs('1d')).toBe(86_400_000);
    for (const bad of ['0m', '5', 'm', '5s', '-5m', '1.5h']) expect(parseStepMs(bad), bad).toBeNull();
  });
});
