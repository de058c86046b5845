/*
 * A freshly installed image keeps itself only once it has shown that it works: the application
 * came up (its web page is being served) and it registered with the PBX, or tried to for 60 s
 * (a PBX that is down, or whose name the network's DNS does not know, is no fault of the image;
 * the 60 s count from the first try, so an image that got onto the network late still shows a
 * minute of trying). A door updated while it is being set up has no
 * SIP account yet: there is nothing to register with, so 60 s of serving its page is all it can
 * show, and it is kept then (else the next reset would quietly bring back the image the user
 * replaced). Until then the bootloader still holds the previous image: a reset, a crash or a
 * watchdog before the confirmation goes back to it.
 */

import type { Clock, FirmwareUpdater, Logger } from "../modules/ports.js";

/** How long a new image that cannot register must have tried before it is kept. */
export const CONFIRM_AFTER_MS = 60000;

export interface ConfirmOptions {
	updater: FirmwareUpdater;
	clock: Clock;
	log: Logger;
	registered(): boolean;
	/** Whether the PBX is being tried (the door is on its network and its user agent runs). */
	tried(): boolean;
	/** Whether a SIP account is set: with one, the image must have tried it to be kept. */
	account(): boolean;
}

export function confirmWhenWorking(o: ConfirmOptions): void {
	if (!o.updater.pendingConfirm) return;
	o.log.info(`update: running a new image; it is kept once it has registered (or tried to, or has no account, for ${CONFIRM_AFTER_MS / 1000} s)`);
	const started = o.clock.now();
	/** When the account was first being tried. */
	let trying: number | undefined;
	const timer = o.clock.setInterval(() => {
		const now = o.clock.now();
		const account = o.account();
		if (trying === undefined && account && o.tried()) trying = now;
		const since = account ? trying : started;
		if (!o.registered() && !(since !== undefined && now - since >= CONFIRM_AFTER_MS)) return;
		o.clock.clearInterval(timer);
		try {
			o.updater.confirm();
			o.log.info("update: the new image works and is kept");
		} catch (error) {
			o.log.error(`update: the new image could not be kept: ${(error as Error)?.message ?? error}`);
		}
	}, 1000);
}
