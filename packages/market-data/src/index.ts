export { CandleDirectory, DataDirectoryError, EMBEDDED_DATA_DIR, EMBEDDED_SYMBOLS, openCandleDirectory } from './data-dir.js';
