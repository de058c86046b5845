/*
 * What the audio and echo end-to-end tests read alike: the door's media status during a call
 * (/sipDebug → media.session) and a poll for files a handset or the door is still writing.
 */

export interface SessionStatus {
	packets_received?: number;
	audio_received?: number;
	packets_sent?: number;
	frames_played?: number;
	codec?: string;
	ptime_ms?: number;
	echo_control?: boolean;
}

/** The media session's part of a simulator status (empty outside a call). */
export const session = (s: Record<string, unknown>) => ((s.media as { session?: SessionStatus } | null | undefined)?.session ?? {}) as SessionStatus;

/**
 * Polls until `check` returns a value (not undefined); a throw counts as not yet (a file that
 * is still being written). Rejects with `what` and the last error after `timeoutMs`.
 */
export async function until<T>(check: () => T | undefined, what: string, timeoutMs = 10000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = check();
			if (value !== undefined) return value;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms${lastError ? ` (last: ${(lastError as Error).message})` : ""}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
