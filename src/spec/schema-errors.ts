// What a migration does with a change its destination refuses or mig cannot encode (a "poison"
// event): stop, skip it, or set it aside in a dead-letter topic or table and go on. DTS blocks or
// skips dirty data; Kafka Connect's errors.tolerance with a dead-letter queue is the third choice.
import { z } from 'zod';

export const OnError = z
  .enum(['block', 'skip', 'dead-letter'])
  .describe(
    'A change the destination refuses or mig cannot encode: block stops the migration with the error (default); skip records it in the state and goes on; dead-letter also writes the change and the error to the dead-letter topic or table (spec.deadLetter), from where `mig redrive` sends the rows again once the cause is fixed.',
  );
export type OnError = z.infer<typeof OnError>;

export const DeadLetter = z
  .strictObject({
    topic: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/, { message: "must be a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'" })
      .optional()
      .describe('Kafka destinations: the topic dead letters go to (default mig.dead-letters.<migration>).'),
    table: z
      .string()
      .regex(/^[A-Za-z0-9_$]{1,64}(\.[A-Za-z0-9_$]{1,64})?$/, { message: 'must be a table name, or database.table at a MySQL destination' })
      .optional()
      .describe('MySQL and Tablestore destinations: the table dead letters go to (default mig_dead_letters, at MySQL in the checkpoint database).'),
  })
  .describe('Where dead letters go: a topic on the destination cluster, or a table at the destination.');
export type DeadLetter = z.infer<typeof DeadLetter>;
