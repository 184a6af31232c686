#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (run `npm run build` first).
import { main } from '../dist/main.js';

// A reader that stops early (`mastertrade ... --json | head -1`) closes the pipe: stop
// quietly (exit 0, as ripgrep does) instead of dying on an unhandled EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`mastertrade: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
