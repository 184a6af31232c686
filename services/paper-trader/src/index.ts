export { paperEnvSchema, rulesFromEnv, DEFAULT_RULES, type PaperEnv, type PaperRules } from './env.js';
export { CandleFeed } from './candle-feed.js';
export { runPaper, type PaperRun } from './paper-run.js';
export { judgePaper, poolScore, expectedReturn, type JudgeInput, type Verdict } from './judge.js';
export { paperStep, paperDaysOf, settingsOf, DAY_MS, type PaperDeps, type PaperLogger, type PaperStepReport } from './paper-step.js';
export { runParityLedger, diffTrades, PRICE_REL_TOL, type ParityReport, type TradeDiff } from './parity.js';
export { startLoop, replayStartMs, type Loop } from './loop.js';
