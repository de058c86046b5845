/*
 * Firmware updates in the simulator: the image goes into a file beside the settings
 * (`klingel-update.bin`, written as `.part` and renamed once complete and checked), with the
 * same checks as on the device; instead of restarting, the simulator says what the device would
 * do. What the image starts with is checked before it comes here (web/firmware-image.ts).
 */

import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import type { FirmwareSlot, FirmwareUpdater, Logger } from "../ports.js";

/** The OTA slot of the XIAO ESP32S3's 8 MB flash as the SDK splits it (0x3E0000 bytes). */
export const DEVICE_SLOT_SIZE = 0x3e0000;

export class FileFirmware implements FirmwareUpdater {
	readonly maxSize: number;
	readonly pendingConfirm = false;
	#file: string;
	#log: Logger;

	constructor(options: { file: string; log: Logger; maxSize?: number }) {
		this.#file = options.file;
		this.#log = options.log;
		this.maxSize = options.maxSize ?? DEVICE_SLOT_SIZE;
	}

	open(size: number): FirmwareSlot {
		if (size > this.maxSize) throw new Error("the image is larger than the firmware slot");
		const part = `${this.#file}.part`;
		const fd = openSync(part, "w");
		let open = true;
		const close = () => {
			if (open) closeSync(fd);
			open = false;
		};
		return {
			write: (piece) => {
				writeSync(fd, piece);
			},
			complete: () => {
				close();
				renameSync(part, this.#file);
			},
			cancel: () => {
				close();
				rmSync(part, { force: true });
			},
		};
	}

	restart(): void {
		this.#log.info(`update: the device would now restart into the new image; the simulator keeps running (the image is in ${this.#file})`);
	}

	confirm(): void {}
}
