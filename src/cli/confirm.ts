// Interactive confirmation that refuses to hang when no one can answer.
import { createInterface } from 'node:readline/promises';
import { MigError } from '../util/errors.js';

export async function confirm(question: string, command: 'apply' | 'destroy' = 'apply'): Promise<boolean> {
  if (!process.stdin.isTTY) {
    const fix = command === 'apply' ? 'review the plan, then run mig apply --auto-approve (or apply a saved plan: mig apply FILE --auto-approve)' : 'review the plan above, then run mig destroy again with --auto-approve (-y)';
    throw new MigError('needs-approval', `${command} needs approval, and there is no terminal to ask`, fix);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
