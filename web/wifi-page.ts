/*
 * The Wi-Fi set-up page (/wifi): the networks in range to choose from (or a name typed for a
 * hidden one), the password, and where the door stands. The password is never put back into
 * the page; the stored one is never shown.
 */

import type { WifiNetwork } from "../modules/ports.js";
import { escapeHtml as e } from "./escape.js";
import { field, hidden, layout, note } from "./page.js";
import type { Words } from "./status-words.js";

export interface WifiView {
	state: "none" | "joining" | "failed" | "connected";
	ssid: string;
	address: string;
	networks: readonly WifiNetwork[];
	/** The form's hidden token: the set-up token before the first run, the session's CSRF after. */
	tokenName: "token" | "csrf";
	token: string;
	/** The build fixed the network: the page only shows it. */
	fixedByBuild: boolean;
	/** Whether the admin password is still to be set (the next step after Wi-Fi). */
	firstRun: boolean;
	error?: string;
	/** What was chosen, to show again after an error. */
	chosen?: string;
}

function bars(rssi: number): string {
	return rssi >= -55 ? "strong" : rssi >= -70 ? "good" : rssi >= -80 ? "weak" : "very weak";
}

function stateWords(view: WifiView): Words | undefined {
	if (view.state === "connected") return { tone: "ok", text: `Connected to “${view.ssid}”: the door's address there is ${view.address}.` };
	if (view.state === "joining") return { tone: "ok", text: `Joining “${view.ssid}”… reload this page in a few seconds.` };
	if (view.state === "failed") return { tone: "bad", text: `Cannot join “${view.ssid}”: check the password, or choose another network.` };
	return undefined;
}

/*
 * A Wi-Fi password is long and typed on a phone, where a slip shows only as "Cannot join": the
 * box shows it as typed. It needs the script, so it stays hidden without one; it has no name, so
 * the form never sends it.
 */
const SHOW_PASSWORD = `(function(){var s=document.getElementById("show"),b=document.getElementById("f_show"),p=document.getElementById("f_password");if(!s||!b||!p)return;s.hidden=false;p.setAttribute("autocapitalize","none");p.setAttribute("autocorrect","off");p.spellcheck=false;b.addEventListener("change",function(){p.type=b.checked?"text":"password"})})();`;

/*
 * The Wi-Fi password is "new-password": password managers take "off" on a password field for
 * nothing, and Chromium filled the door's saved admin sign-in into it on load, "admin" into the
 * hidden network's name before it (which the door then joins in place of the network chosen).
 * A new password is never filled in.
 */
export function wifiPage(view: WifiView, nonce: string): string {
	const state = note(stateWords(view));
	const next = view.state === "connected"
		? `<p><a href="/sip">${view.firstRun ? "Next: set the admin password" : "Back to the settings"}</a></p><p class="hint">Then join your phone to “${e(view.ssid)}” again and open http://${e(view.address)}/sip there; this set-up network closes in two minutes.</p>`
		: "";
	if (view.fixedByBuild) return layout("Wi-Fi", `${state}<section><p>This door was built for the network “${e(view.ssid)}”; build it without <code>ssid=</code> to choose the network here.</p>${next}</section>`, nonce);
	const list = view.networks.length
		? view.networks.map((network, i) => `<label class="check"><input type="radio" name="ssid" value="${e(network.ssid)}"${network.ssid === view.chosen ? " checked" : ""} id="n_${i}"><span>${e(network.ssid)} <small>(${bars(network.rssi)}${network.secure ? "" : ", open"})</small></span></label>`).join("")
		: `<p class="hint">No networks found yet.</p>`;
	const error = view.error ? `<p class="note bad" role="alert">${e(view.error)}</p>` : "";
	const form = `<form method="post" action="/wifi">${hidden(view.tokenName, view.token)}${error}<fieldset><legend>Network</legend>${list}<p><a href="/wifi?scan=1">Search again</a></p>${field("other", "Or the name of a hidden network", "", undefined, { autocomplete: "off" })}</fieldset>${field("password", "Wi-Fi password", "", undefined, { type: "password", autocomplete: "new-password", hint: "Empty for an open network." })}<label class="check" id="show" hidden><input type="checkbox" id="f_show"> Show the password</label><button type="submit">Join</button></form>`;
	return layout("Wi-Fi", `${state}${next}<section>${form}</section>`, nonce, SHOW_PASSWORD);
}
