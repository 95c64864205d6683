import {
  endedPhases,
  mayEnter,
  phaseTransitions,
  sessionPhases,
  type SessionPhase,
} from '../../domain/session';

/** The phases a session can reach from `from` by the table. */
function reachable(from: SessionPhase): Set<SessionPhase> {
  const seen = new Set<SessionPhase>([from]);
  const todo = [from];
  for (let phase = todo.pop(); phase; phase = todo.pop()) {
    for (const next of phaseTransitions[phase]) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

describe('session phase transitions', () => {
  it('when a session starts with the robot, then every phase is reachable and every path can end', () => {
    expect([...reachable('robot')].sort()).toEqual([...sessionPhases].sort());
    for (const phase of sessionPhases)
      expect(reachable(phase).has('closed') || phase === 'rated').toBe(true);
  });

  it('when a session has ended, then it never goes back to a live phase', () => {
    for (const phase of endedPhases) {
      for (const next of phaseTransitions[phase]) expect(endedPhases).toContain(next);
    }
    expect(phaseTransitions.rated).toEqual([]);
  });

  it('when a transition is not in the table, then it is not allowed', () => {
    expect(mayEnter('assigned', 'transferring')).toBe(true);
    expect(mayEnter('robot', 'assigned')).toBe(false);
    expect(mayEnter('closed', 'assigned')).toBe(false);
    expect(mayEnter('leave_message', 'queued')).toBe(false);
  });
});
