import { backtestCommand, BACKTEST_HELP, type Output } from './commands/backtest.js';
import { DataDirectoryError } from '@mastertrade/market-data';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';

const HELP = `mastertrade: invent, backtest and learn crypto trading strategies

Commands:
  backtest    run strategy documents over candles (see: mastertrade backtest --help)
  data        import, seed, fetch and inspect stored candles (see: mastertrade data --help)
  cycle       enqueue a generation cycle on the running services, optionally wait for it
  strategies  list stored strategies with their latest results
  predictor   train the next-hour price-change model, or predict with it (see: mastertrade predictor --help)

${BACKTEST_HELP}`;

/** Writes to stdout honouring back-pressure, so streaming a large batch keeps memory flat. */
function writeOut(text: string): Promise<void> | void {
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export const stdio: Output = { out: writeOut, err: (t) => void process.stderr.write(t) };

export async function main(argv: string[], io: Output = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'backtest':
        return await backtestCommand(rest, io);
      case 'data':
        return await (await import('./commands/data.js')).dataCommand(rest, io);
      // Commands that talk to PostgreSQL/Redis load their modules on demand, so `backtest` starts fast.
      case 'cycle':
        return await (await import('./commands/cycle.js')).cycleCommand(rest, io);
      case 'strategies':
        return await (await import('./commands/strategies.js')).strategiesCommand(rest, io);
      case 'predictor':
        return await (await import('./commands/predictor.js')).predictorCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        await io.out(`${HELP}\n`);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (try: mastertrade --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof DataDirectoryError || isConfigError(err) || isParseArgsError(err) || isUserFsError(err)) {
      io.err(`mastertrade ${command ?? ''}: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    io.err(`mastertrade ${command ?? ''}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_INTERNAL;
  }
}

/** packages/config's ConfigError (checked by name: config is loaded lazily with the commands that need it). */
function isConfigError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConfigError';
}

function isParseArgsError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
}

function isUserFsError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && ['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES'].includes(String(err.code));
}
