// A message ready for Kafka: bytes, key and where it goes.
export interface EncodedMessage {
  key: string | null;
  value: Buffer;
}

export interface OutboundMessage extends EncodedMessage {
  topic: string;
  /** Explicit partition (DDL and keyless rows go to 0); undefined lets the key's hash choose. */
  partition?: number;
}
