/**
 * Node's `Buffer`, typed. @cloudflare/workers-types declares the global `Buffer` as `any`, and that
 * declaration wins over @types/node's (`import { Buffer } from 'node:buffer'` re-exports the same global),
 * so every use of the global is unchecked. The value is Node's own Buffer (or workerd's, under nodejs_compat).
 */
export const NodeBuffer: BufferConstructor = Buffer;
