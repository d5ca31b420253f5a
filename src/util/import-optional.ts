/**
 * Imports an optional package (testcontainers, …) by a name held in a variable, so neither
 * TypeScript nor a bundler requires it at build time; the caller says what to do when it is missing.
 */
export async function importOptional<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}
