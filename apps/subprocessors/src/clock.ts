/** The service's time: injected, so the notice and deadline boundaries are tested to the millisecond. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
