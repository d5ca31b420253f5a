/**
 * Where generated files go. A destination hands out file writers that write to a temporary
 * name and only take the real name on `commit()`, so a failed run never leaves a file that
 * looks complete.
 */

export interface FileWriter {
  /** Where the file will be once committed (path or URL), for summaries. */
  readonly location: string;
  write(data: Uint8Array): Promise<void>;
  /**
   * True when `write()` is done with `data` once its promise resolves (a local file), so the
   * caller may free it; absent when the writer may still hold it (an S3 upload buffers parts).
   */
  readonly doneWithDataOnWrite?: boolean;
  /** Makes the file visible under its final name. */
  commit(): Promise<void>;
  /** Removes whatever was written. Never throws for a missing file. */
  abort(): Promise<void>;
}

export interface Destination {
  /** Printable description (never contains credentials). */
  readonly description: string;
  /** Fails early, before any generation, when the destination cannot be written. */
  checkWritable(): Promise<void>;
  createFile(name: string): Promise<FileWriter>;
}
