/* ECMA-419 PWM output (Moddable: modules/io/pwm; on the ESP32 an LEDC channel, 4 to 7 by default). */
declare module "embedded:io/pwm" {
	export interface PWMOptions {
		pin: number;
		/** Frequency (the SDK's default 1024 Hz). */
		hz?: number;
		/** Bits of the duty value (the SDK's default 10: 0 to 1023). */
		resolution?: number;
		/** Another PWM whose timer this one shares. */
		from?: PWM;
		port?: number;
	}

	export default class PWM {
		constructor(options: PWMOptions);
		/** The duty, 0 to (1 << resolution) - 1. */
		write(value: number): void;
		close(): void;
		readonly hz: number;
		readonly resolution: number;
		format: "number";
	}
}
