import { Args, Flags } from '@oclif/core';
import { MigCommand, jsonFlag, stateFlag, stateUrlFlag } from '../../cli/base.js';
import { openStateStore } from '../../config/index.js';
import { MigError } from '../../util/errors.js';

export default class StateUnlock extends MigCommand {
  static override summary = 'Clear a stale state lock left by a process that died.';
  static override description = 'Only when the process named in the lock is really gone: two applies at once on one state can send changes twice and corrupt checkpoints. The lock id is printed by the command that found the state locked.';
  static override examples = ['<%= config.bin %> state unlock --force 3f1c2a7e-…'];
  static override args = { id: Args.string({ description: 'the lock id', required: true, ignoreStdin: true }) };
  static override flags = { state: stateFlag, 'state-url': stateUrlFlag, force: Flags.boolean({ description: 'required: confirms the holder is gone' }), json: jsonFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StateUnlock);
    if (!flags.force) throw new MigError('needs-force', 'unlocking needs --force', `run: mig state unlock --force ${args.id}`);
    const store = await openStateStore(flags);
    await store.forceUnlock(args.id).finally(() => store.close?.());
    if (flags.json) this.outJson({ location: store.location, unlocked: args.id });
    else this.out(`Lock ${args.id} cleared.`);
  }
}
