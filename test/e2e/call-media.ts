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
	frames_lost?: number;
	frames_late?: number;
	underruns?: number;
	resyncs?: number;
	jitter_ms?: number;
	frames_skipped?: number;
	send_late_max_ms?: number;
	playout_advanced_ms?: number;
	mic_short_frames?: number;
	echo_blocks?: number;
	echo_passed_blocks?: number;
	echo_restarts?: number;
	echo_missed_references?: number;
	echo_delay_ms?: number;
}

/** The media status of the session that ended last (/sipDebug → media.last_session). */
export const lastSession = (s: Record<string, unknown>) => ((s.media as { last_session?: SessionStatus } | null | undefined)?.last_session ?? {}) as SessionStatus;

/**
 * What a call's media status says of it, to explain a measurement: the network and the jitter
 * buffer (frames lost, late, underruns, resyncs, jitter), the door's two frame clocks (frames
 * skipped, how late a microphone frame ran, how far the playout moved ahead) and the echo
 * canceller (blocks whose microphone it passed, restarts, microphone frames without a
 * speaker frame before, the delay it holds the reference back by).
 */
export function mediaFigures(s: SessionStatus): string {
	const n = (v: number | undefined) => String(v ?? "?");
	return `media: ${n(s.frames_lost)} frames lost, ${n(s.frames_late)} late, ${n(s.underruns)} underruns, ${n(s.resyncs)} resyncs, jitter ${n(s.jitter_ms)} ms; ` +
		`clocks: ${n(s.frames_skipped)} microphone frames skipped, ${n(s.send_late_max_ms)} ms late at most, playout ${n(s.playout_advanced_ms)} ms ahead, ${n(s.mic_short_frames)} short microphone frames; ` +
		`canceller: ${n(s.echo_passed_blocks)} of ${n(s.echo_blocks)} blocks passed the microphone, filter restarts: ${n(s.echo_restarts)}, ${n(s.echo_missed_references)} microphone frames with no speaker frame before, the reference held back ${n(s.echo_delay_ms)} ms`;
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
