import { strategyHash, type StrategyDocument } from '@mastertrade/core';
import type { Db } from '../client.js';
import type { StrategyOrigin } from '../generated/prisma/client.js';

export interface NewStrategy {
  document: StrategyDocument;
  origin: StrategyOrigin;
  /** Parent strategy ids (hashes). */
  parentIds?: readonly string[];
  cycleId?: string | null;
}

/**
 * Inserts strategies keyed by their canonical hash; documents already stored (same rules, any
 * name) are skipped. Returns every document's id in input order and how many were new.
 */
export async function saveStrategies(db: Db, items: readonly NewStrategy[]): Promise<{ ids: string[]; inserted: number }> {
  const rows = items.map((s) => ({
    id: strategyHash(s.document),
    name: s.document.name,
    document: s.document as object,
    type: s.document.type,
    timeframe: s.document.timeframe,
    symbols: [...s.document.symbols],
    origin: s.origin,
    parentIds: [...(s.parentIds ?? [])],
    cycleId: s.cycleId ?? null,
  }));
  const r = await db.prisma.strategy.createMany({ data: rows, skipDuplicates: true });
  return { ids: rows.map((x) => x.id), inserted: r.count };
}
