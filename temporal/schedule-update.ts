import type { ScheduleDescription, ScheduleOptions, ScheduleOptionsAction, ScheduleSpec, ScheduleUpdateOptions } from '@temporalio/client';

/** The policies the pack sets on its schedules; pause-on-failure is the operator's. */
type PackPolicies = Omit<NonNullable<ScheduleOptions['policies']>, 'pauseOnFailure'>;

/**
 * The update a worker makes at start to a schedule of the pack's that exists already: the spec, action and policies
 * its settings give, and what an operator set that the pack does not configure kept as the schedule has it — paused
 * or not with the note saying why, a limit on the actions left (`temporal schedule update --remaining-actions`, the
 * UI's "limit"), and pause-on-failure. An update sends the whole schedule: a field left out is reset, which is how a
 * restart used to make a schedule limited to its last few runs unlimited again.
 */
export function keepingOperatorSettings<A extends ScheduleOptionsAction>(o: {
  spec: ScheduleSpec;
  action: A;
  policies: PackPolicies;
}): (previous: ScheduleDescription) => ScheduleUpdateOptions<A> {
  return (previous) => ({
    spec: o.spec,
    action: o.action,
    policies: { ...o.policies, pauseOnFailure: previous.policies.pauseOnFailure },
    state: { paused: previous.state.paused, note: previous.state.note, remainingActions: previous.state.remainingActions },
  });
}
