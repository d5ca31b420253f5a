/**
 * A growable byte buffer, reused across chunks. Writing constant template segments as bytes
 * and values with `utf8Write` avoids building (and later flattening) a large JS string per
 * chunk, which profiling showed cost more than generating the statements.
 */
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

  /** Writes a string as UTF-8. */
  text(value: string): void {
    // 3 bytes per UTF-16 unit is the worst case of UTF-8.
    this.reserve(value.length * 3);
    this.offset += this.buffer.write(value, this.offset, 'utf8');
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.offset++] = value;
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
