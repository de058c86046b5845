/*
 * The GPIOs a setting may name on the ESP32-S3. embedded:io/digital opens any number it is given,
 * and a pin the chip lacks, or one wired to its flash, PSRAM or USB, stops the firmware as it
 * starts, again at every start when the pin is a stored setting. The board's own parts are named
 * as manifest.json wires them: its config's pins as the build gives them (BoardPins; the default
 * wiring where a provider names none) and its esp32 section's audioIn, audioOut and camera
 * defines (test/unit/manifest.test.ts checks that boardPart and the defaults say the same).
 */

/** The ESP32-S3's highest GPIO. */
export const MAX_GPIO = 48;

/**
 * The GPIOs of the board's parts that a build's manifest config places (-1: the part is not
 * wired). No bell button may have one of them: a second part on one GPIO would read or drive the
 * part's line, and a bell on the BOOT button's would reset the admin password.
 */
export interface BoardPins {
	/** The door button, bell button 1 (config button_pin). */
	buttonPin: number;
	/** The door-opener relay (config relay_pin). */
	relayPin: number;
	/** The house gong's relay (config gong_pin). */
	gongPin: number;
	/** The status LED (config led_pin). */
	ledPin: number;
	/** The board's BOOT button, held to reset the admin password (config boot_button_pin). */
	bootButtonPin: number;
}

/** The default wiring: manifest.json's config, and the device settings' defaults. */
export const DEFAULT_BOARD_PINS: Readonly<BoardPins> = Object.freeze({ buttonPin: 4, relayPin: 1, gongPin: 3, ledPin: 2, bootButtonPin: 0 });

/** Each of BoardPins with its manifest config key and the part as messages name it. */
export const BOARD_PARTS: ReadonlyArray<{ readonly field: keyof BoardPins; readonly key: string; readonly part: string }> = Object.freeze([
	Object.freeze({ field: "bootButtonPin", key: "boot_button_pin", part: "the BOOT button" } as const),
	Object.freeze({ field: "relayPin", key: "relay_pin", part: "the door relay" } as const),
	Object.freeze({ field: "ledPin", key: "led_pin", part: "the status LED" } as const),
	Object.freeze({ field: "gongPin", key: "gong_pin", part: "the gong relay" } as const),
	Object.freeze({ field: "buttonPin", key: "button_pin", part: "the door button" } as const),
]);

/** Why the ESP32-S3 has `pin` (0 to MAX_GPIO) for no button, relay or LED, or undefined when it can be one. */
export function chipPinProblem(pin: number): string | undefined {
	if (pin === 19 || pin === 20) return "GPIO19 and GPIO20 are the USB port (the console and firmware updates)";
	if (pin >= 22 && pin <= 25) return "the ESP32-S3 has no GPIO22 to GPIO25";
	if (pin >= 26 && pin <= 32) return "GPIO26 to GPIO32 connect the flash and the PSRAM";
	if (pin >= 33 && pin <= 37) return "GPIO33 to GPIO37 connect the octal PSRAM (of the ESP32-S3R8 on the XIAO)";
	return undefined;
}

/**
 * Why `pin`, one the chip can open, is no place for a bell button, or undefined: a part of the
 * board has it (boardPart), or it is a strapping pin, or both, and then the message says both (a
 * build that moves the part away leaves the pin refused). GPIO45 and GPIO46 are strapping pins,
 * read at every reset: GPIO45 high selects 1.8 V for the flash (a 3.3 V flash then fails, unless
 * an eFuse fixes the voltage), GPIO46 chooses with GPIO0 the boot mode, so a button circuit with a
 * pull-up there can keep the board from starting. GPIO0 is a strapping pin too: held low at reset
 * it starts the ROM's download mode, and the door stays dead until the next reset, so a visitor
 * holding a bell button wired there while the power returns would shut the door down; it stays
 * refused where the build moves the BOOT button elsewhere. The BOOT button (`board.bootButtonPin`,
 * config boot_button_pin: GPIO0 unless the build moves it, -1 for none) resets the admin password
 * when held: a button outside the house must never be able to. GPIO43 and GPIO44 (UART0) are
 * taken: the firmware has no console there (the SDK's ESP32-S3 build sets
 * CONFIG_ESP_CONSOLE_NONE), and on the XIAO, whose debugger and flashing go over the chip's USB,
 * they are the free header pins D6 and D7; on a board that flashes through a USB-serial chip on
 * UART0, a button there shares the lines with it.
 */
export function buttonPinProblem(pin: number, board: Readonly<BoardPins> = DEFAULT_BOARD_PINS): string | undefined {
	if (pin === 0 && board.bootButtonPin === 0) return "GPIO0 is the board's BOOT button, which resets the admin password when held, and a strapping pin: a bell held down while the power returns starts the chip's download mode, and the door stays dead until the next reset";
	const part = boardPart(pin, board);
	const used = pin === board.bootButtonPin ? `GPIO${pin} is the board's BOOT button (config boot_button_pin), which resets the admin password when held: a button outside the house must never be able to` : part && `${part} uses it`;
	const strapping = strappingProblem(pin);
	return used && strapping ? `${used}; ${strapping}` : used || strapping;
}

/** Why a button circuit is no good on `pin` where it is a strapping pin (see buttonPinProblem), or undefined. */
function strappingProblem(pin: number): string | undefined {
	if (pin === 45) return "GPIO45 is a strapping pin (its level at reset selects the flash voltage): a button circuit with a pull-up there can keep the board from starting";
	if (pin === 46) return "GPIO46 is a strapping pin (its level at reset selects the boot mode): a button circuit with a pull-up there can keep the board from starting";
	if (pin === 0) return "GPIO0 is a strapping pin: a bell held down while the power returns starts the chip's download mode, and the door stays dead until the next reset";
	return undefined;
}

/** The part of the board wired to `pin`: one of `board`'s (the build's config), else one manifest.json's defines place; or undefined. */
export function boardPart(pin: number, board: Readonly<BoardPins> = DEFAULT_BOARD_PINS): string | undefined {
	for (const { field, key, part } of BOARD_PARTS) if (board[field] === pin) return `${part} (config ${key})`;
	switch (pin) {
		case 7: case 8: case 9: return "the speaker's I2S";
		case 41: case 42: return "the microphone";
		case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 38: case 39: case 40: case 47: case 48: return "the camera";
		default: return undefined;
	}
}
