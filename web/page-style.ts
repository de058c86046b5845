/* The page's CSS, embedded: one column for a phone, large touch targets, no external assets. */

export const STYLE = `*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:18px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f4f1;color:#1b1b1b}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
h2{font-size:1.15rem;margin:0 0 .6rem}
section,fieldset{background:#fff;border:1px solid #d6d6d0;border-radius:12px;padding:1rem;margin:0 0 1rem}
fieldset{min-width:0}
form{margin:0 0 1.2rem}
section form{margin:0}
legend{font-weight:600;padding:0 .3rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}
label.check{display:flex;gap:.6rem;align-items:flex-start;font-weight:400}
input,select,button{font:inherit;width:100%;min-height:48px;border-radius:8px}
input,select{border:1px solid #8a8a84;padding:.5rem .7rem;background:#fff;color:inherit}
input[type=checkbox],input[type=radio]{flex:none;width:28px;min-height:28px;margin:0}
input:focus,select:focus,button:focus{outline:3px solid #2d6cdf;outline-offset:1px}
input[aria-invalid=true]{border:2px solid #b3261e;background:#fff6f5}
.err{color:#b3261e;margin:.3rem 0 0;font-size:.95rem}
.hint{color:#555;margin:.3rem 0 0;font-size:.9rem}
button{border:0;background:#2d6cdf;color:#fff;font-weight:600;margin-top:1rem;cursor:pointer}
button.alt{background:#e7e7e2;color:#1b1b1b}
.note{border-radius:8px;padding:.7rem .9rem;margin:0 0 1rem}
.ok{background:#e4f4e6;color:#16501f}
.warn{background:#fdf3d8;color:#5c4300}
.bad{background:#fbe4e2;color:#7d1a14}
ul{padding-left:1.2rem;margin:.4rem 0}
table{border-collapse:collapse;width:100%;font-size:.95rem}th{text-align:left;font-weight:400;color:#555;padding:.2rem .6rem .2rem 0}td{font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap;word-break:break-all;font-size:.8rem;margin:.2rem 0 .8rem}
details summary{min-height:48px;display:flex;align-items:center;font-weight:600;cursor:pointer}
@media (prefers-color-scheme:dark){body{background:#161616;color:#eee}section,fieldset{background:#222;border-color:#444}input,select{background:#111;border-color:#777}.hint{color:#bbb}button.alt{background:#3a3a3a;color:#eee}}`;
