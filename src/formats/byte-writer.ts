/**
 * A growable byte buffer, reused across chunks. Statements are written as bytes directly —
 * constant template segments copied, values written as latin1 (ASCII) — instead of building a
 * string per chunk: profiling showed flattening large fresh strings cost more than generating
 * the statements. The `*Unchecked` methods skip bounds checks; call `reserve()` first.
 */
/** Segments shorter than this are copied byte by byte. */
const SMALL_COPY_BYTES = 16;

interface LatinWritable {
  latin1Write(value: string, offset: number): number;
}

export class ByteWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Ensures room for `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.offset + bytes) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buffer.copy(next, 0, 0, this.offset);
    this.buffer = next;
  }

  /** Writes any string as UTF-8. */
  text(value: string): void {
    // 3 bytes per UTF-16 unit is the worst case of UTF-8.
    this.reserve(value.length * 3);
    this.offset += this.buffer.write(value, this.offset, 'utf8');
  }

  /** Writes an ASCII-only string (ids, URLs, numbers) after `reserve()`. */
  asciiUnchecked(value: string): void {
    // `latin1Write` is what `Buffer#write(…, 'latin1')` calls after its argument checks, which
    // profiling put at ~9 % of generation time. The method is public in Node but untyped.
    this.offset += (this.buffer as unknown as LatinWritable).latin1Write(value, this.offset);
  }

  /** Copies bytes after `reserve()`. */
  bytesUnchecked(value: Uint8Array): void {
    const n = value.length;
    if (n < SMALL_COPY_BYTES) {
      // Most template segments are a few bytes (`", "`); a loop avoids TypedArray#set's call cost.
      const buffer = this.buffer;
      let o = this.offset;
      for (let i = 0; i < n; i++) buffer[o++] = value[i] as number;
      this.offset = o;
    } else {
      this.buffer.set(value, this.offset);
      this.offset += n;
    }
  }

  /** Copies `n` bytes written earlier, from `offset`, to the end, after `reserve()`. */
  repeatUnchecked(offset: number, n: number): void {
    this.buffer.copyWithin(this.offset, offset, offset + n);
    this.offset += n;
  }

  /** Writes one byte after `reserve()`. */
  byteUnchecked(value: number): void {
    this.buffer[this.offset++] = value;
  }

  /** Overwrites the byte at `offset` (already written). */
  patchByte(offset: number, value: number): void {
    this.buffer[offset] = value;
  }

  get length(): number {
    return this.offset;
  }

  /** A view of what was written since the last `reset()`; valid until the next write. */
  view(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  reset(): void {
    this.offset = 0;
  }
}
