// What an operation handler gets and returns.
import type { Faults } from './faults.js';
import type { Instance } from './instance.js';

export interface Ctx {
  instance: Instance;
  faults: Faults;
  /** Server time for this request, ms since the epoch. */
  now: number;
  /** Largest number of rows one GetRange response returns (the service stops at 5000). */
  rangePageRows: number;
}

/** A response: the protobuf message type name and its fields. */
export interface Reply {
  type: string;
  message: object;
}

export type Handler = (ctx: Ctx, body: Buffer) => Reply;

export function consumed(read: number, write: number): { capacityUnit: { read: number; write: number } } {
  return { capacityUnit: { read, write } };
}
