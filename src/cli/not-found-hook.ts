// `mig aply` without a terminal: @oclif/plugin-not-found asks "Did you mean apply?" on a terminal
// and, with none (a script, CI, a pipe), says only that the command does not exist. This init hook
// runs before it and, where no one can answer, prints the suggestion and exits 127 as the plugin
// does; under --json the same as one error object on stdout.
import { toConfiguredId, type Hook } from '@oclif/core';
import { closest } from '../spec/suggest.js';
import { errorOutputOf } from './base.js';

const hook: Hook.Init = async function ({ id, argv, config }) {
  if (id === undefined || id.startsWith('-') || config.findCommand(id) || config.findTopic(id)) return;
  const json = errorOutputOf([id, ...argv]) === 'json';
  // On a terminal the plugin asks, and runs the suggestion when the answer is yes.
  if (process.stdin.isTTY === true && !json) return;
  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const guess = closest(id, visible);
  const given = toConfiguredId(id, config);
  const message = `${given} is not a ${config.bin} command`;
  const fix = `${guess ? `did you mean ${config.bin} ${toConfiguredId(guess, config)}? ` : ''}${config.bin} help lists every command`;
  if (json) process.stdout.write(JSON.stringify({ type: 'error', time: new Date().toISOString(), code: 'command-not-found', message, fix }) + '\n');
  else process.stderr.write(`Error: ${message}.\nFix: ${fix}.\n`);
  this.exit(127);
};

export default hook;
