/*
 * The stop hook of the lin build. The Moddable simulator (mcsim) gives every application a
 * global `screen`, and when it quits the application (its Quit menu, closing its window,
 * choosing another device) it calls `screen.context.onQuit()` inside the application's machine
 * before it deletes that machine (the SDK's build/simulators/modules/screen.c, fxScreenQuit).
 * A Piu application's view takes that slot; this firmware has no Piu, so it takes it for its
 * own stop. The machine is gone right after onQuit returns: what the stop sends at once goes
 * out (the UDP write is a sendto), a retransmission or an answer never comes. A signal that
 * ends the simulator's process (Ctrl-C in its terminal, SIGTERM) runs no hook at all.
 */

interface SimulatorScreen {
	context?: { onQuit?: () => void };
}

export function onPlatformStop(stop: () => void): boolean {
	const screen = (globalThis as { screen?: SimulatorScreen }).screen;
	if (!screen || typeof screen !== "object" || screen.context) return false;
	screen.context = { onQuit: stop };
	return true;
}
