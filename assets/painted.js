// Page 1's "painted" report (ui.after_paint): once the browser has drawn the page this run sent,
// tell the server, which then sends the 3D surfaces (a fragment's run of their own). Sent once
// per token and mount; no user text is read or written.
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  if (parentElement.__sent === data) return;
  parentElement.__sent = data;
  requestAnimationFrame(() => setTimeout(() => setTriggerValue("painted", data), 0));
}
