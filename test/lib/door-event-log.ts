// The door's event log over an event log of its own, as boot gives it the home's.
import { DoorEventLog } from "../../door/door-events.js";
import { EventLog } from "../../home/events.js";
import { FakeClock } from "./fake-clock.js";

export function doorEventLog(wallClock: () => number, capacity?: number, clock = new FakeClock(), onListenerError?: (error: unknown) => void): { doorEvents: DoorEventLog; log: EventLog } {
	const log = new EventLog({ clock, wallClock, capacity, onListenerError });
	return { doorEvents: new DoorEventLog(log), log };
}
