// A counting semaphore: bounds the requests in flight to the instance across every lane and every
// concurrent send() of one writer.
export class Semaphore {
  private waiting: Array<() => void> = [];
  private free: number;

  constructor(readonly size: number) {
    this.free = size;
  }

  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
