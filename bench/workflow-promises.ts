import { promiseHooks } from 'node:v8';
import { Worker } from '@temporalio/worker';
import { readHistory } from '../test/support/histories';
import { workflowBundlerOptions } from '../workers/workflow-bundle';

/**
 * `npm run bench:promises [history …]`: how many promises the session
 * workflow's code creates while one recorded history replays
 * (test/workflow/histories; default: a one-step session and a conversation
 * whose turns are read at deadlines). The Temporal SDK's promise hook
 * captures and formats a stack for every such promise (BENCHMARKS.md,
 * "Third pass"), so this count is what that hook's cost scales with. A
 * replay runs the workflow in this thread, where a promise of workflow code
 * is one whose constructor is not this realm's `Promise`; each is counted
 * under who made it: the session's own functions or the SDK's.
 */
const defaults = ['one-step-transitions.history.bin', 'agent-turns-at-deadlines.history.bin'];

/** Bundle frames of our modules come after the SDK's workflow library in the bundle. */
const ownFrame = /at (\S+) \(.*workflow-bundle-[0-9a-f]+\.js:\d+:\d+\)/;
const ownNames =
  /^(SessionMachine|robotStep|queuedStep|reservedStep|humanStep|ratingStep|leaveMessageStep|becomeAssigned|finish|route|takeOffer|takeTransfer|closeInOneStep|waitUntil|hear|close|rate|noteTurns|offerLeaveMessage|transfer|requestHuman|sessionWorkflow)\b/;

async function main(): Promise<void> {
  const files = process.argv.slice(2).length ? process.argv.slice(2) : defaults;
  let counting: { total: number; ours: number } | undefined;
  const hook = promiseHooks.createHook({
    init(promise: Promise<unknown>) {
      if (!counting || promise.constructor === Promise) return;
      counting.total++;
      const frame = ownFrame.exec(new Error().stack?.split('\n').slice(2).join('\n') ?? '');
      if (frame?.[1] && ownNames.test(frame[1])) counting.ours++;
    },
  });
  try {
    for (const file of files) {
      counting = { total: 0, ours: 0 };
      await Worker.runReplayHistory(
        {
          workflowsPath: require.resolve('../workflows'),
          bundlerOptions: workflowBundlerOptions,
        },
        readHistory(file),
        file,
      );
      const { total, ours } = counting;
      counting = undefined;
      process.stdout.write(
        `${file}: ${total} promises in workflow code, ${ours} made by the session's own functions, ${total - ours} by the SDK's\n`,
      );
    }
  } finally {
    hook.call(undefined); // the hook's stop function, typed as `Function`
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
