// Page 1's "painted" report (ui.report_paint): once the browser has drawn the page this run sent,
// tell the server, whose next run of the page sends the 3D surfaces. Sent once
// per token and mount; no user text is read or written.
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  if (parentElement.__sent === data) return;
  parentElement.__sent = data;
  requestAnimationFrame(() => setTimeout(() => setTriggerValue("painted", data), 0));
}
