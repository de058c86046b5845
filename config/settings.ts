/*
 * The settings over the key-value port: the values for the web page (never the password), and
 * a save that writes all changed keys or none. Before the first key is written, the previous
 * values go into an undo record (`cfg`/`undo`); it is removed when the last key is written.
 * A write that fails halfway is rolled back at once; a save cut short by a reset is rolled back
 * when the settings are next opened.
 */

import type { KeyValueStore, Logger } from "../modules/ports.js";
import type { BoardPins } from "../modules/esp32s3-pins.js";
import { CheckError } from "./checks.js";
import { KEYS, keySpec, type KeySpec, type SettingValue } from "./keys.js";
import { badSettingWords, checkProblem, checkSetting, storedValue } from "./read.js";
import { bellPins, MAX_BELLS, pinTaken } from "./bells.js";

export const UNDO_NAMESPACE = "cfg";
export const UNDO_KEY = "undo";

export interface SaveResult {
	ok: boolean;
	/** Messages by key; `_store` when the store failed. */
	errors: Record<string, string>;
	/** The keys whose stored value changed. */
	changed: string[];
}

type UndoEntry = [namespace: string, key: string, previous: SettingValue | null];

export class Settings {
	#store: KeyValueStore;
	#log: Logger | undefined;
	/**
	 * Why stored values fail their key's check, by key (at most one per key): found when the
	 * settings are opened and after each save that wrote, as nothing else writes these keys. The
	 * status asks for them every few seconds while the page is open, which would otherwise read
	 * every key from NVS each time.
	 */
	#problems = new Map<string, string>();
	/** Where the build wires the board's parts, whose pins no bell button may have (see Check); undefined: the default wiring. */
	#board: Readonly<BoardPins> | undefined;

	constructor(store: KeyValueStore, log?: Logger, board?: Readonly<BoardPins>) {
		this.#store = store;
		this.#log = log;
		this.#board = board;
		this.recover();
		this.#findProblems();
	}

	get store(): KeyValueStore {
		return this.#store;
	}

	/** Whether a SIP password is stored (the page says so; it never shows it). */
	hasPassword(): boolean {
		return this.hasSecret("sip_password");
	}

	/** Whether a secret key (a password) holds a value. */
	hasSecret(key: string): boolean {
		const spec = keySpec(key);
		return !!spec && String(this.#store.get(spec.namespace, spec.key) ?? "") !== "";
	}

	/**
	 * Every setting as the page shows it: the checked stored value or the default, the passwords
	 * left out. Bad stored values come back as they are, so that the next save puts them right,
	 * with their message in `problems` (a bad password's too, without its value).
	 */
	values(): { values: Record<string, SettingValue>; problems: Record<string, string> } {
		const values: Record<string, SettingValue> = {};
		const problems: Record<string, string> = {};
		for (const spec of KEYS) {
			const stored = storedValue(this.#store, spec);
			// A bell button's default pin can fail too: where the build moved a part of the board there.
			const problem = this.#problems.get(spec.key);
			if (problem !== undefined) problems[spec.key] = stored === undefined ? problem : `the stored value ${problem}`;
			if (spec.kind === "secret") continue;
			const value = stored === undefined ? spec.fallback : this.#shown(spec, stored);
			values[spec.key] = spec.redact && typeof value === "string" ? spec.redact(value) : value;
		}
		return { values, problems };
	}

	/**
	 * The stored values that fail their check, in words for the status: the key, why, and what the
	 * door does meanwhile (never the value: it may be the door code or a password).
	 */
	storedProblems(): string[] {
		const out: string[] = [];
		for (const [key, problem] of this.#problems) {
			const spec = keySpec(key)!;
			out.push(`Stored setting ${spec.namespace}.${spec.key} is not valid (${problem}): ${badSettingWords(spec)}`);
		}
		return out;
	}

	/**
	 * Checks every given key, then writes the changed ones, all or none. An empty password means
	 * "unchanged". Unknown keys are errors. Nothing is written when any key is wrong.
	 */
	save(changes: Record<string, unknown>): SaveResult {
		const errors: Record<string, string> = {};
		const next: Array<{ spec: KeySpec; value: SettingValue }> = [];
		for (const name of Object.keys(changes)) {
			const spec = keySpec(name);
			if (!spec) {
				errors[name] = "is not a setting this doorbell knows";
				continue;
			}
			const raw = changes[name];
			if (spec.kind === "secret" && (raw === "" || raw === undefined || raw === null)) continue;
			// The page's redacted text sent back unchanged: the stored value (with its password) stays,
			// but for one that fails its check, which needs putting right as every bad stored value does.
			// Edited, it gets the stored password back where it still shows it hidden (unredact says when).
			const stored = spec.redact ? this.#store.get(spec.namespace, spec.key) : undefined;
			if (spec.redact && typeof stored === "string" && typeof raw === "string" && raw.trim() === spec.redact(stored) && raw.trim() !== stored && !this.#problems.has(spec.key)) continue;
			try {
				next.push({ spec, value: spec.check(spec.unredact && typeof raw === "string" ? spec.unredact(raw, typeof stored === "string" ? stored : "") : raw, this.#board) });
			} catch (error) {
				if (!(error instanceof CheckError)) throw error;
				errors[name] = `${spec.label} ${error.message}`;
			}
		}
		const user = next.find((n) => n.spec.key === "sip_user");
		if (user && user.value !== "" && !errors.sip_password && !next.some((n) => n.spec.key === "sip_password") && !this.hasPassword()) {
			errors.sip_password = "Password is needed with a user name (the one set for this IP phone in the FRITZ!Box)";
		}
		// MQTT 3.1.1 allows no password without a user name (§3.1.2.9, MQTT-3.1.2-22): MQTT.js closes
		// before sending one, the SDK's client sends it and the broker refuses every attempt.
		const mqttPassword = next.find((n) => n.spec.key === "password");
		if (mqttPassword && mqttPassword.value !== "" && !errors.user && this.#valueAfter(next, "user") === "") {
			errors.password = "MQTT password needs an MQTT user: a broker takes no password without a user name (enter the user, or leave the password empty)";
		}
		this.#bellPins(next, changes, errors);
		if (Object.keys(errors).length) return { ok: false, errors, changed: [] };

		// A key that is absent counts as its default: saving the default there changes nothing.
		const writes = next.filter((n) => (this.#store.get(n.spec.namespace, n.spec.key) ?? n.spec.fallback) !== n.value);
		if (writes.length === 0) return { ok: true, errors, changed: [] };
		try {
			return this.#write(writes);
		} finally {
			this.#findProblems();
		}
	}

	/** Writes the checked, changed keys, all or none. */
	#write(writes: ReadonlyArray<{ spec: KeySpec; value: SettingValue }>): SaveResult {
		const undo: UndoEntry[] = writes.map((w) => [w.spec.namespace, w.spec.key, this.#previous(w.spec)]);
		try {
			this.#store.set(UNDO_NAMESPACE, UNDO_KEY, JSON.stringify(undo));
		} catch (error) {
			this.#dropUndo();
			return this.#failed(error);
		}
		try {
			for (const w of writes) this.#store.set(w.spec.namespace, w.spec.key, w.value);
		} catch (error) {
			this.#rollBack(undo);
			return this.#failed(error);
		}
		if (!this.#dropUndo()) {
			// A record left behind would undo this save at the next start: undo it now instead.
			this.#rollBack(undo);
			return this.#failed(new Error("the undo record could not be removed"));
		}
		return { ok: true, errors: {}, changed: writes.map((w) => w.spec.key) };
	}

	/** Rolls back a save that a reset cut short (an undo record left in the store). */
	recover(): boolean {
		const record = this.#store.get(UNDO_NAMESPACE, UNDO_KEY);
		if (record === undefined) return false;
		let undo: UndoEntry[] = [];
		try {
			const parsed = JSON.parse(String(record));
			if (Array.isArray(parsed)) undo = parsed.filter((e): e is UndoEntry => Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "string" && keySpec(e[1])?.namespace === e[0]);
		} catch {
			this.#log?.warn("settings: an unreadable undo record was dropped");
		}
		this.#rollBack(undo);
		this.#log?.warn(`settings: an unfinished save was rolled back (${undo.map((e) => e[1]).join(", ") || "nothing to restore"})`);
		return true;
	}

	/**
	 * The pins of the bell buttons once the save is written. An unused button's pin is never opened:
	 * the one the page showed for it, sent back unchanged (the whole form is, without JavaScript),
	 * passes even where it fails the check, so that a bad pin stored for a button nobody uses stops
	 * no save of the other settings; it stays as stored. A button given its number keeps its pin
	 * where none is given: that pin is checked as a given one is. Two buttons in use on one GPIO:
	 * the later one's pin is refused, naming the other button (the pins the board's parts use are
	 * refused by the pin's own check). The message goes to the pin given in this save, where it
	 * can be put right, else to the later button's pin. Two that shared a pin before this save,
	 * which names neither pin and takes neither button into use, are a stored problem (bellPins)
	 * and stop no save of other settings, as a refused pin stored for a button in use does not.
	 */
	#bellPins(next: ReadonlyArray<{ spec: KeySpec; value: SettingValue }>, changes: Record<string, unknown>, errors: Record<string, string>): void {
		const owners: number[] = [];
		// By button: whether this save names its pin or takes it into use.
		const touched: boolean[] = [];
		for (let n = 2; n <= MAX_BELLS; n++) {
			const key = `bell${n}_pin`;
			const target = `bell${n}_target`;
			if (errors[target]) continue;
			if (this.#valueAfter(next, target) === "") {
				if (errors[key] && String(changes[key]).trim() === this.#valueAfter([], key)) delete errors[key];
				continue;
			}
			if (errors[key]) continue;
			const spec = keySpec(key)!;
			const pin = Number(this.#valueAfter(next, key));
			const given = next.some((w) => w.spec === spec), taken = this.#valueAfter([], target) === "";
			const problem = taken && !given ? checkProblem(spec, pin, this.#board) : undefined;
			if (problem !== undefined) {
				errors[key] = `${spec.label} ${problem}`;
				continue;
			}
			touched[n] = given || taken;
			const other = owners[pin];
			if (other === undefined) {
				owners[pin] = n;
				continue;
			}
			if (!touched[n] && !touched[other]) continue;
			const otherKey = `bell${other}_pin`;
			const blamed = key in changes || !(otherKey in changes) ? n : other;
			errors[`bell${blamed}_pin`] = `${keySpec(`bell${blamed}_pin`)!.label} ${pinTaken(pin, blamed === n ? other : n)}`;
		}
	}

	/** A text key's value once `next` is written: the new one, else the stored one, else its default. */
	#valueAfter(next: ReadonlyArray<{ spec: KeySpec; value: SettingValue }>, key: string): string {
		const spec = keySpec(key)!;
		const given = next.find((n) => n.spec === spec);
		return String(given ? given.value : (this.#store.get(spec.namespace, spec.key) ?? spec.fallback)).trim();
	}

	/** The value the page shows for a stored one: checked, or as it is where it fails the check. */
	#shown(spec: KeySpec, stored: SettingValue): SettingValue {
		const checked = checkSetting(spec, stored, this.#board);
		return checked.problem === undefined ? checked.value : stored;
	}

	#findProblems(): void {
		this.#problems.clear();
		// A bell button's pin is one only for a button in use (bellPins says which).
		const pins = bellPins(this.#store, this.#board);
		for (const spec of KEYS) {
			const stored = storedValue(this.#store, spec);
			const problem = pins.has(spec.key) ? pins.get(spec.key)?.problem : stored === undefined ? undefined : checkProblem(spec, stored, this.#board);
			if (problem !== undefined) this.#problems.set(spec.key, problem);
		}
	}

	#previous(spec: KeySpec): SettingValue | null {
		const value = this.#store.get(spec.namespace, spec.key);
		return value === undefined ? null : value;
	}

	#rollBack(undo: UndoEntry[]): void {
		try {
			for (const [namespace, key, previous] of undo) {
				if (previous === null) this.#store.delete(namespace, key);
				else this.#store.set(namespace, key, previous);
			}
		} catch (error) {
			// The undo record stays: the next start finishes the roll-back.
			this.#log?.error(`settings: roll-back interrupted (${(error as Error).message}); it is finished at the next start`);
			return;
		}
		this.#dropUndo();
	}

	#dropUndo(): boolean {
		try {
			this.#store.delete(UNDO_NAMESPACE, UNDO_KEY);
			return true;
		} catch {
			// Left for recover() at the next start, which rolls the save back.
			return false;
		}
	}

	#failed(error: unknown): SaveResult {
		const message = String((error as Error)?.message ?? error).replace(/[\r\n]+/g, " ").slice(0, 120);
		this.#log?.error(`settings: could not be saved: ${message}`);
		return { ok: false, errors: { _store: `The settings could not be saved (${message}); the previous settings are kept.` }, changed: [] };
	}
}
