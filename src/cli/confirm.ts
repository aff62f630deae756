// Interactive confirmation that refuses to hang when no one can answer.
import { createInterface } from 'node:readline/promises';
import { MigError } from '../util/errors.js';

export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new MigError('needs-approval', 'apply needs approval, and there is no terminal to ask', 'review the plan, then run mig apply --auto-approve (or apply a saved plan: mig apply FILE --auto-approve)');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
