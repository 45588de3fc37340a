// The widget's stylesheet, inside its shadow root. :host resets everything
// with !important: for !important declarations the shadow tree's own rules
// win over the host page's, so no page rule can move, hide or restyle the
// widget; inside the shadow root page selectors do not apply at all.
// Only px units (rem would follow the page's root font size). `all` leaves
// direction alone, so :host sets it (the page's may be rtl) and the corner is
// physical: bottom right in both languages.
export function css(color: string): string {
  return `
:host{all:initial !important;direction:ltr !important;unicode-bidi:normal !important;position:fixed !important;bottom:20px !important;right:20px !important;left:auto !important;top:auto !important;
z-index:2147483000 !important;display:block !important;transform:none !important;filter:none !important;opacity:1 !important;
visibility:visible !important;contain:layout style !important;width:auto !important;height:auto !important;margin:0 !important;padding:0 !important}
.root{all:initial;display:block;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:#1f2937;direction:ltr;text-align:start}
.root[dir=rtl]{direction:rtl}
.root *{box-sizing:border-box;font:inherit;color:inherit;letter-spacing:normal;text-transform:none;transform:none}
.launcher{all:initial;display:flex;align-items:center;justify-content:center;width:56px;height:56px;border-radius:50%;
background:${color};color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.launcher svg{width:28px;height:28px;fill:#fff}
.panel{position:absolute;bottom:68px;right:0;width:360px;max-width:calc(100vw - 40px);height:520px;
max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;border-radius:12px;overflow:hidden;
box-shadow:0 10px 40px rgba(0,0,0,.25);border:1px solid #e5e7eb}
.panel[hidden]{display:none}
header{display:flex;align-items:center;justify-content:space-between;padding:12px 14px;background:${color};color:#fff;font-weight:600;font-size:15px}
header button{all:initial;cursor:pointer;color:#fff;font-size:20px;line-height:1;padding:2px 6px;border-radius:4px}
.status{padding:4px 14px;font-size:12px;background:#fff7ed;color:#9a3412}
.status:empty{display:none}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;margin:0;list-style:none}
.msg{max-width:85%;padding:8px 11px;border-radius:12px;background:#f3f4f6;white-space:pre-wrap;overflow-wrap:anywhere;align-self:flex-start}
.msg.me{align-self:flex-end;background:${color};color:#fff}
.who{display:block;font-size:11px;opacity:.75;margin-block-end:2px}
.msg a{color:inherit;text-decoration:underline}
.card{display:flex;flex-direction:column;gap:6px;margin-block-start:6px}
.article{display:block;padding:8px;border:1px solid #d1d5db;border-radius:8px;background:#fff;color:#1f2937;text-decoration:none}
.article b{display:block;color:#1d4ed8}
.article small{display:block;color:#4b5563;font-size:12px}
.choices{display:flex;flex-wrap:wrap;gap:6px}
.btn{all:initial;font:inherit;display:inline-block;cursor:pointer;padding:7px 12px;border-radius:8px;background:${color};color:#fff;font-weight:600;text-align:center}
.btn.ghost{background:#fff;color:#1f2937;border:1px solid #d1d5db}
.btn[disabled]{opacity:.5;cursor:default}
.typing{padding:0 14px 4px;font-size:12px;color:#6b7280;min-height:18px}
form.compose{display:flex;align-items:flex-end;gap:6px;padding:8px;border-block-start:1px solid #e5e7eb}
textarea,input[type=text],input[type=email]{all:initial;font:inherit;display:block;width:100%;padding:8px;border:1px solid #d1d5db;border-radius:8px;
background:#fff;color:#1f2937;direction:inherit;text-align:start;white-space:pre-wrap}
textarea{resize:none;height:40px;max-height:120px}
.attach{all:initial;cursor:pointer;display:flex;align-items:center;justify-content:center;width:36px;height:40px;border-radius:8px;color:#4b5563;font-size:20px}
.attach input{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.form{display:flex;flex-direction:column;gap:10px;padding:14px;overflow-y:auto;flex:1}
.form label{display:flex;flex-direction:column;gap:4px;font-size:13px;font-weight:600}
.form p{margin:0}
.foot{padding:6px 10px;border-block-start:1px solid #f3f4f6;text-align:center}
.link{all:initial;font:inherit;font-size:12px;color:#1d4ed8;cursor:pointer;text-decoration:underline}
.note{font-size:12px;color:#6b7280}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`
}
