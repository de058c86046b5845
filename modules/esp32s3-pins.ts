/*
 * The GPIOs a setting may name on the ESP32-S3. embedded:io/digital opens any number it is given,
 * and a pin the chip lacks, or one wired to its flash, PSRAM or USB, stops the firmware as it
 * starts, again at every start when the pin is a stored setting. The board's own parts are named
 * as manifest.json wires them (its config's pins and its esp32 section's audioIn, audioOut and
 * camera defines; test/unit/manifest.test.ts checks that boardPart says the same).
 */

/** The ESP32-S3's highest GPIO. */
export const MAX_GPIO = 48;

/** The default wiring's BOOT button (manifest config boot_button_pin): GPIO0 on the ESP32-S3 boards. */
export const BOOT_BUTTON_PIN = 0;

/** Why the ESP32-S3 has `pin` (0 to MAX_GPIO) for no button, relay or LED, or undefined when it can be one. */
export function chipPinProblem(pin: number): string | undefined {
	if (pin === 19 || pin === 20) return "GPIO19 and GPIO20 are the USB port (the console and firmware updates)";
	if (pin >= 22 && pin <= 25) return "the ESP32-S3 has no GPIO22 to GPIO25";
	if (pin >= 26 && pin <= 32) return "GPIO26 to GPIO32 connect the flash and the PSRAM";
	if (pin >= 33 && pin <= 37) return "GPIO33 to GPIO37 connect the octal PSRAM (of the ESP32-S3R8 on the XIAO)";
	return undefined;
}

/**
 * Why `pin`, one the chip can open, is no place for a bell button, or undefined. GPIO45 and GPIO46
 * are strapping pins, read at every reset: GPIO45 high selects 1.8 V for the flash (a 3.3 V flash
 * then fails, unless an eFuse fixes the voltage), GPIO46 chooses with GPIO0 the boot mode, so a
 * button circuit with a pull-up there can keep the board from starting. GPIO0 is a strapping pin
 * too: held low at reset it starts the ROM's download mode, and the door stays dead until the
 * next reset, so a visitor holding a bell button wired there while the power returns would shut
 * the door down; it stays refused where the build moves the BOOT button elsewhere. The BOOT button
 * (`bootButtonPin`, config boot_button_pin: GPIO0 unless the build moves it, -1 for none) resets
 * the admin password when held: a button outside the house must never be able to. GPIO43 and GPIO44 (UART0)
 * are taken: the firmware has no console there (the SDK's ESP32-S3 build sets
 * CONFIG_ESP_CONSOLE_NONE), and on the XIAO, whose debugger and flashing go over the chip's USB,
 * they are the free header pins D6 and D7; on a board that flashes through a USB-serial chip on
 * UART0, a button there shares the lines with it.
 */
export function buttonPinProblem(pin: number, bootButtonPin = BOOT_BUTTON_PIN): string | undefined {
	if (pin === 45) return "GPIO45 is a strapping pin (its level at reset selects the flash voltage): a button circuit with a pull-up there can keep the board from starting";
	if (pin === 0 && bootButtonPin === 0) return "GPIO0 is the board's BOOT button, which resets the admin password when held, and a strapping pin: a bell held down while the power returns starts the chip's download mode, and the door stays dead until the next reset";
	if (pin === bootButtonPin) return `GPIO${pin} is the board's BOOT button (config boot_button_pin), which resets the admin password when held: a button outside the house must never be able to`;
	if (pin === 0) return "GPIO0 is a strapping pin: a bell held down while the power returns starts the chip's download mode, and the door stays dead until the next reset";
	if (pin === 46) return "GPIO46 is a strapping pin (its level at reset selects the boot mode): a button circuit with a pull-up there can keep the board from starting";
	return undefined;
}

/** The part of the board that manifest.json wires to `pin` (the default wiring), or undefined. */
export function boardPart(pin: number): string | undefined {
	switch (pin) {
		case 0: return "the BOOT button (config boot_button_pin)";
		case 1: return "the door relay (config relay_pin)";
		case 2: return "the status LED (config led_pin)";
		case 3: return "the gong relay (config gong_pin)";
		case 4: return "the door button (config button_pin)";
		case 7: case 8: case 9: return "the speaker's I2S";
		case 41: case 42: return "the microphone";
		case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 38: case 39: case 40: case 47: case 48: return "the camera";
		default: return undefined;
	}
}
