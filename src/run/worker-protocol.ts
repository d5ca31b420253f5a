/** Messages between the generation pool and its worker threads. */

import type { ChunkSpec } from '../backends/chunk.ts';
import type { Config } from '../config/types.ts';

export interface ChunkJob extends ChunkSpec {
  readonly id: number;
}

export type WorkerRequest =
  | { readonly kind: 'init'; readonly config: Config }
  | { readonly kind: 'job'; readonly job: ChunkJob };

export type WorkerReply =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'result';
      readonly id: number;
      readonly rows: number;
      /** Size of the encoded text before compression. */
      readonly rawBytes: number;
      /** The encoded chunk, gzipped when the job asked for it. */
      readonly data: Uint8Array;
      readonly ids: readonly string[];
    }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };
