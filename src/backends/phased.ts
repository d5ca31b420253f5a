/**
 * Sinks in typed phases (testcontainers' container → started container): a definition starts
 * into a {@link StartedSink}, which opens into an {@link OpenSink}. Each phase exists only once
 * the previous one succeeded, so implementations never check "used before open()"; this
 * adapter is the one place that maps the runner's flat {@link Sink} calls onto the phases.
 */

import { XapiDbLoadError } from '../errors.ts';
import type { TableKey } from '../formats/tables.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import type { ChunkResult } from './chunk.ts';
import type { ChunkFormat, Sink, SinkSummary } from './sink.ts';

/** Phase 3: chunks flow in. */
export interface OpenSink {
  write(chunk: ChunkResult): Promise<void>;
  endTable?(table: TableKey): Promise<void>;
  /** How chunks are made once the plan is known (else the definition's answer). */
  chunkFormat?(table: TableKey, index: number): ChunkFormat;
  close(): Promise<SinkSummary>;
  /** Never throws. */
  abort(reason?: unknown): Promise<void>;
}

/** Phase 2: checked and ready (connections open, target guarded); nothing written. */
export interface StartedSink {
  open(plan: DatasetPlan): Promise<OpenSink>;
  /** Never throws. */
  abort(reason?: unknown): Promise<void>;
}

/** Phase 1: configured; `start()` is the runner's preflight. On failure it leaves nothing open. */
export interface SinkDefinition {
  readonly description: string;
  tables(): readonly TableKey[];
  chunkFormat(table: TableKey, index: number): ChunkFormat;
  start(): Promise<StartedSink>;
}

type Phase =
  | { readonly name: 'configured' }
  | { readonly name: 'started'; readonly started: StartedSink }
  | { readonly name: 'open'; readonly open: OpenSink }
  | { readonly name: 'ended' };

/** The runner's {@link Sink} over a phased definition. */
export function phasedSink(definition: SinkDefinition): Sink {
  let phase: Phase = { name: 'configured' };
  const outOfOrder = (call: string, expected: Phase['name']): XapiDbLoadError =>
    new XapiDbLoadError(
      `sink ${definition.description}: ${call} called in phase "${phase.name}", expected "${expected}"`,
    );
  const openSink = (call: string): OpenSink => {
    if (phase.name !== 'open') throw outOfOrder(call, 'open');
    return phase.open;
  };
  return {
    description: definition.description,
    tables: () => definition.tables(),
    chunkFormat(table, index) {
      if (phase.name === 'open' && phase.open.chunkFormat) return phase.open.chunkFormat(table, index);
      return definition.chunkFormat(table, index);
    },
    async preflight() {
      if (phase.name !== 'configured') throw outOfOrder('preflight()', 'configured');
      phase = { name: 'started', started: await definition.start() };
    },
    async open(plan) {
      if (phase.name !== 'started') throw outOfOrder('open()', 'started');
      phase = { name: 'open', open: await phase.started.open(plan) };
    },
    write: (chunk) => openSink('write()').write(chunk),
    async endTable(table) {
      await openSink('endTable()').endTable?.(table);
    },
    async close() {
      const summary = await openSink('close()').close();
      phase = { name: 'ended' };
      return summary;
    },
    async abort(reason) {
      const current = phase;
      phase = { name: 'ended' };
      if (current.name === 'started') await current.started.abort(reason);
      else if (current.name === 'open') await current.open.abort(reason);
    },
  };
}
