/** Worker-thread entry: builds the plan once, then runs slices the pool sends. */

import { parentPort } from 'node:worker_threads';
import type { JourneysConfig } from './config.ts';
import { runSlice, SliceContext, type SliceTask } from './slice.ts';

if (!parentPort) throw new Error('journeys worker must run in a worker thread');
const port = parentPort;
let ctx: SliceContext | undefined;

port.on(
  'message',
  (message: { kind: 'init'; config: JourneysConfig } | { kind: 'task'; id: number; task: SliceTask }) => {
    try {
      if (message.kind === 'init') {
        ctx = new SliceContext(message.config);
        port.postMessage({ kind: 'ready' });
        return;
      }
      if (!ctx) throw new Error('journeys worker used before init');
      const result = runSlice(ctx, message.task);
      const transfer = [result.xapi.buffer, ...Object.values(result.expected).map((b) => b.buffer)] as ArrayBuffer[];
      port.postMessage({ kind: 'result', id: message.id, result }, transfer);
    } catch (error) {
      port.postMessage({
        kind: 'error',
        id: message.kind === 'task' ? message.id : -1,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  },
);
