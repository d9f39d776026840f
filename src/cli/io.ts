/** Where a command writes; tests pass buffers, main.ts passes the process streams. */
export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin: NodeJS.ReadableStream;
  stderrIsTTY: boolean;
}
